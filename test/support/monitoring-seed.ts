import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { sqlDatabaseOf } from "../../src/metadata/sql-database-of.js";

/** The instant the seeded history is read at (the metrics endpoint's clock). */
export const SEED_NOW = new Date("2024-06-01T12:00:00.000Z");

const at = (secondsBeforeNow: number) => new Date(SEED_NOW.getTime() - secondsBeforeNow * 1000).toISOString();

/**
 * Records a small, known history through the store's own API (runs, attempts, summaries,
 * quality checks, dataset events) plus one stream partition row, so metric values can be
 * asserted exactly:
 * - `orders`: 3 succeeded runs (durations 10 s, 40 s, 200 s), 1 failed run (task `load` retried once);
 *   summaries extract 100 rows per run from `raw_orders`, 5 quarantined per succeeded run.
 * - `customers`: 1 running run queued 900 s ago with a 600 s old heartbeat, 1 queued scheduled run.
 * - quality: `orders` scores 0.9 then 0.98 (the latest), freshness of `orders` updated 7200 s ago.
 * - stream `clicks` partition 0: 1000 read, 3 late, 2 dead-lettered, watermark 30 s behind.
 */
export async function seedHistory(store: MetadataStore, prefix = ""): Promise<void> {
  const durations = [10, 40, 200];
  for (const [i, seconds] of durations.entries()) {
    await finishedRun(
      store,
      `${prefix}ok${i}`,
      "orders",
      `2024-05-0${i + 1}`,
      3000 - i * 500,
      seconds,
      "succeeded",
    );
  }
  await finishedRun(store, `${prefix}bad`, "orders", "2024-05-09", 600, 30, "failed");

  await store.runs.create(
    {
      id: `${prefix}running`,
      pipeline: "customers",
      logicalDate: "2024-05-30",
      intervalStart: "2024-05-30T00:00:00.000Z",
      intervalEnd: "2024-05-31T00:00:00.000Z",
      state: "running",
      startedAt: at(900),
      queuedAt: at(900),
      owner: "host:1",
      heartbeatAt: at(600),
      params: {},
    },
    [],
  );
  await store.runs.create(
    {
      id: `${prefix}queued`,
      pipeline: "customers",
      logicalDate: "2024-05-31",
      intervalStart: "2024-05-31T00:00:00.000Z",
      intervalEnd: "2024-06-01T00:00:00.000Z",
      state: "queued",
      runType: "scheduled",
      startedAt: at(100),
      queuedAt: at(100),
      params: {},
    },
    [],
  );

  for (const [i, score] of [0.9, 0.98].entries()) {
    await store.quality.record({
      id: `${prefix}check${i}`,
      dataset: "orders",
      suite: "orders_suite",
      checkedAt: at(1000 - i * 500),
      success: score > 0.95,
      score: { checks: score, rows: 1 },
      results: [],
      metrics: {},
    });
  }
  await store.datasets.record([
    { id: `${prefix}ev1`, dataset: "orders", at: at(9000), pipeline: "orders" },
    { id: `${prefix}ev2`, dataset: "orders", at: at(7200), pipeline: "orders" },
  ]);

  const db = sqlDatabaseOf(store)!;
  await db.run(
    `INSERT INTO stream_partitions (job, "partition", epoch, position, watermark, counts, committed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      `${prefix}clicks`,
      "0",
      7,
      1000,
      SEED_NOW.getTime() - 30_000,
      JSON.stringify({
        in: 1000,
        parsed: 998,
        deadLettered: 2,
        kept: 990,
        filteredOut: 5,
        late: 3,
        windowsEmitted: 40,
      }),
      at(5),
    ],
  );
}

async function finishedRun(
  store: MetadataStore,
  id: string,
  pipeline: string,
  date: string,
  startedSecondsAgo: number,
  seconds: number,
  state: "succeeded" | "failed",
): Promise<void> {
  const startedAt = at(startedSecondsAgo);
  const endedAt = at(startedSecondsAgo - seconds);
  const key = { runId: id, taskId: "load", mapIndex: -1 };
  await store.runs.create(
    {
      id,
      pipeline,
      logicalDate: date,
      intervalStart: `${date}T00:00:00.000Z`,
      intervalEnd: `${date}T23:59:59.999Z`,
      state: "running",
      runType: "scheduled",
      startedAt,
      owner: "host:1",
      params: {},
    },
    [{ taskId: "load", mapIndex: -1, retries: 1 }],
  );
  const attempts = state === "failed" ? 2 : 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await store.tasks.startAttempt({ ...key, attempt, owner: "host:1", at: startedAt });
    const last = attempt === attempts;
    await store.tasks.finishAttempt({
      ...key,
      attempt,
      attemptState: state === "failed" ? "failed" : "success",
      at: endedAt,
      instance: {
        state: !last ? "up_for_retry" : state === "failed" ? "failed" : "success",
        rows: { in: 100, out: 95, rejected: 5 },
      },
    });
  }
  await store.runs.finish(id, {
    state,
    endedAt,
    summary: {
      runId: id,
      pipeline,
      state,
      datasets: [
        state === "succeeded"
          ? {
              dataset: "raw_orders",
              extracted: 100,
              loaded: 95,
              quarantined: 5,
              quarantinedByCheck: {},
              into: [],
            }
          : { dataset: "raw_orders", extracted: 100, quarantined: 0, quarantinedByCheck: {}, into: [] },
      ],
    },
  });
}
