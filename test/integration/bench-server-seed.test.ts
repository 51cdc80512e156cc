import { describe, expect, it } from "vitest";
import { pipelineIdOf, seedServerStore, tasksOf } from "../../bench/server-seed.js";
import { type Backend, openSeededStore } from "../../bench/server-stores.js";
import { toNumber } from "../../src/metadata/sql-database.js";
import { sqlDatabaseOf } from "../../src/metadata/sql-database-of.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

// The server benchmark's seeder writes straight into the tables; these tests read the rows
// back through the store's own repositories, so a column the seeder gets wrong fails here.
const backends: { backend: Backend; available: boolean }[] = [
  { backend: "sqlite", available: true },
  { backend: "postgres", available: postgresAvailable },
];

describe.each(backends)("server bench seeder on $backend", ({ backend, available }) => {
  it.skipIf(!available)("writes runs, tasks, attempts, events and checks the store reads back", async () => {
    const bench = await openSeededStore(
      backend,
      { runs: 2000, pipelines: 20, qualityDatasets: 4, checksPerDataset: 5 },
      POSTGRES_URL,
    );
    try {
      const { store, seed } = bench;
      const db = sqlDatabaseOf(store)!;
      const count = async (table: string) =>
        toNumber((await db.get<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);
      expect(await store.runs.count()).toBe(2000);
      expect(await count("task_instances")).toBe(seed.taskInstances);
      expect(await count("task_attempts")).toBe(seed.attempts);
      expect(await count("dataset_events")).toBe(seed.datasetEvents);
      expect(await count("quality_checks")).toBe(20);
      expect(await count("pipelines")).toBe(20);
      expect(seed.datasetEvents).toBeGreaterThan(0);
      for (const [state, n] of Object.entries(seed.states)) {
        expect(await store.runs.count({ states: [state as "failed"] })).toBe(n);
      }
      expect(seed.states.failed).toBeGreaterThan(50);
      expect(seed.states.running).toBe(5);
      expect(seed.states.queued).toBe(3);

      // Newest first: the queued and running runs are the newest.
      const newest = await store.runs.list({ limit: 8 });
      expect(newest.map((r) => r.state).sort()).toEqual([
        ...Array(3).fill("queued"),
        ...Array(5).fill("running"),
      ]);

      // Keyset pages over (started_at, id) visit every run once, in order.
      const seen = new Set<string>();
      let before: { startedAt: string; id: string } | undefined;
      let last = "9999";
      for (;;) {
        const page = await store.runs.list({ limit: 500, ...(before ? { before } : {}) });
        if (page.length === 0) break;
        for (const r of page) {
          expect(r.startedAt <= last).toBe(true);
          last = r.startedAt;
          seen.add(r.id);
        }
        const end = page[page.length - 1]!;
        before = { startedAt: end.startedAt, id: end.id };
      }
      expect(seen.size).toBe(2000);

      // A failed run: its tasks as the executor leaves them, a retried failure, a summary.
      const [failed] = await store.runs.list({ states: ["failed"], limit: 1 });
      const pipelineIndex = seed.pipelines.indexOf(failed!.pipeline);
      const instances = await store.tasks.list(failed!.id);
      expect(instances.map((t) => t.taskId).sort()).toEqual([...tasksOf(pipelineIndex)].sort());
      const failedTask = instances.find((t) => t.state === "failed")!;
      expect(failedTask.tryNumber).toBe(2);
      expect((await store.tasks.attempts(failed!.id, failedTask.taskId)).map((a) => a.state)).toEqual([
        "failed",
        "failed",
      ]);
      expect(instances.every((t) => ["success", "failed", "upstream_failed"].includes(t.state))).toBe(true);
      expect(failed!.error).toContain(failedTask.taskId);
      const summary = failed!.summary as { state: string; datasets: { dataset: string }[] };
      expect(summary.state).toBe("failed");
      expect(summary.datasets[0]!.dataset).toBe(`raw.${failed!.pipeline}`);

      const checks = await store.quality.checks({ limit: 100 });
      expect(checks).toHaveLength(20);
      expect(checks[0]!.results).toHaveLength(4);
      expect(await store.pipelines.get(pipelineIdOf(0))).toMatchObject({
        id: pipelineIdOf(0),
        paused: false,
      });
    } finally {
      await bench.drop();
    }
  });
});

describe("server bench seeder", () => {
  it("is deterministic: the same shape gives the same runs", async () => {
    const ids = async () => {
      const bench = await openSeededStore("sqlite", { runs: 300, pipelines: 7 }, POSTGRES_URL);
      try {
        return (await bench.store.runs.list({ limit: 300 })).map((r) => `${r.id}:${r.state}`);
      } finally {
        await bench.drop();
      }
    };
    const first = await ids();
    expect(first).toHaveLength(300);
    expect(await ids()).toEqual(first);
  });

  it("a second seed of the same shape is refused whole by the unique keys", async () => {
    const bench = await openSeededStore("sqlite", { runs: 50, pipelines: 3 }, POSTGRES_URL);
    try {
      await expect(
        seedServerStore(sqlDatabaseOf(bench.store)!, { runs: 50, pipelines: 3 }),
      ).rejects.toThrow();
      expect(await bench.store.runs.count()).toBe(50);
    } finally {
      await bench.drop();
    }
  });
});
