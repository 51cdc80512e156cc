import type Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ExecutorHarness,
  openExecutorHarness,
  taskStates,
  until,
} from "../../../test/support/executor-harness.js";
import type { SqliteMetadataStore } from "../../metadata/sqlite-metadata-store.js";
import { definePipeline, defineTask } from "../define-pipeline.js";
import { resumeRun } from "./resume-run.js";

/**
 * The metadata store fails under a running run (a full disk, a file gone read-only): the
 * executor stops the run — its running tasks told to stop and waited for — names the file
 * and the cause, and leaves the run so the next execution continues it.
 */
let h: ExecutorHarness;
let db: Database.Database;
beforeAll(async () => {
  h = await openExecutorHarness();
  db = (h.store as unknown as { sql: { db: Database.Database } }).sql.db;
});
afterAll(() => h.close());

/** A full disk, as SQLite sees it: the file may not grow by another page. */
function fillDisk(): void {
  db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true })}`);
}
function freeDisk(): void {
  db.pragma("max_page_count = 1073741823");
}

const BIG = "x".repeat(64 * 1024);
const file = () => (h.store as SqliteMetadataStore).location;

describe("the metadata store fails during a run", () => {
  it("disk full: METADATA_FAILED naming the file, running tasks stopped and handed back; with room again the run resumes", async () => {
    const ran: string[] = [];
    const signals: AbortSignal[] = [];
    const pipeline = definePipeline({
      id: "full",
      tasks: [
        defineTask({ id: "first", run: async () => ran.push("first") }),
        defineTask({
          id: "fill",
          dependsOn: ["first"],
          run: async (ctx) => {
            ran.push(`fill ${ctx.attempt}`);
            if (ctx.attempt === 1) {
              fillDisk();
              // Its log lines cannot be stored: the attempt's end is the first write that fails.
              ctx.logger.info(BIG);
            }
            return "filled";
          },
        }),
        defineTask({
          id: "beside",
          run: async (ctx) => {
            ran.push(`beside ${ctx.attempt}`);
            if (ctx.attempt > 1) return "done";
            signals.push(ctx.signal);
            return new Promise((_, reject) =>
              ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
            );
          },
        }),
      ],
    });
    const error = await h.start(pipeline, { runId: "run_full" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "METADATA_FAILED",
      details: expect.objectContaining({ runId: "run_full", file: file(), sqliteCode: "SQLITE_FULL" }),
    });
    const message = (error as Error).message;
    expect(message).toMatch(/^run run_full of pipeline "full" stopped: metadata store /);
    expect(message).toContain(`${file()}: database or disk is full (SQLITE_FULL): the disk is full`);
    expect(message).toContain("continue it with `weir retry run_full` once the store can be written");
    // The task running beside was told to stop, and the executor waited for it.
    expect(signals[0]?.aborted).toBe(true);
    // Released, with what was running handed back as queued: nothing looks alive.
    const run = await h.store.runs.get("run_full");
    expect(run).toMatchObject({ state: "queued" });
    expect(run?.owner).toBeUndefined();
    expect(await taskStates(h.store, "run_full")).toEqual({
      first: "success",
      fill: "queued",
      beside: "queued",
    });

    freeDisk();
    const result = await resumeRun("run_full", {
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      heartbeatMs: 3_600_000,
    });
    expect(result.state).toBe("succeeded");
    expect(ran.sort()).toEqual(["beside 1", "beside 2", "fill 1", "fill 2", "first"]);
    expect((await h.store.tasks.attempts("run_full", "fill")).map((a) => [a.state, a.errorCode])).toEqual([
      ["failed", "METADATA_FAILED"],
      ["success", undefined],
    ]);
  });

  it("no write possible at all: the run keeps its stale heartbeat, and after the timeout the next executor takes it over", async () => {
    let calls = 0;
    const pipeline = definePipeline({
      id: "readonly",
      retries: 1,
      retryDelay: 0,
      tasks: [
        defineTask({
          id: "only",
          run: async () => {
            calls++;
            // Every write fails from here on (SQLITE_READONLY), even the release.
            if (calls === 1) db.pragma("query_only = 1");
            return calls;
          },
        }),
      ],
    });
    const error = await h.start(pipeline, { runId: "run_ro" }).catch((e: unknown) => e);
    db.pragma("query_only = 0");
    expect(error).toMatchObject({
      code: "METADATA_FAILED",
      details: expect.objectContaining({ sqliteCode: "SQLITE_READONLY" }),
    });
    expect((error as Error).message).toContain(
      "its heartbeat has stopped: once the store can be written and the heartbeat is 1m old, `weir retry run_ro` continues it",
    );
    expect((await h.store.runs.get("run_ro"))?.owner).toBeDefined();
    const resume = () =>
      resumeRun("run_ro", {
        pipeline,
        store: h.store,
        runtime: h.runtime,
        clock: h.clock,
        heartbeatMs: 3_600_000,
      });
    await expect(resume()).rejects.toMatchObject({ code: "RUN_CONFLICT" });
    await h.clock.advance(60_001);
    const result = await resume();
    expect(result.state).toBe("succeeded");
    expect(calls).toBe(2);
  });

  it("heartbeats that keep failing stop the run before another executor would take it over", async () => {
    const signals: AbortSignal[] = [];
    const pipeline = definePipeline({
      id: "lost",
      tasks: [
        defineTask({
          id: "long",
          run: async (ctx) => {
            signals.push(ctx.signal);
            return new Promise((_, reject) =>
              ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
            );
          },
        }),
      ],
    });
    const running = h
      .start(pipeline, { runId: "run_lost", heartbeatMs: 1_000, heartbeatTimeoutMs: 60_000 })
      .catch((e: unknown) => e);
    await until(() => signals.length === 1, "task running");
    db.pragma("query_only = 1");
    try {
      for (let s = 0; s < 29; s++) await h.clock.advance(1_000);
      expect(signals[0]?.aborted).toBe(false);
      await h.clock.advance(1_000);
      await until(() => signals[0]!.aborted, "the task told to stop");
    } finally {
      db.pragma("query_only = 0");
    }
    const error = await running;
    expect(error).toMatchObject({ code: "METADATA_FAILED" });
    expect((error as Error).message).toMatch(
      /^run run_lost of pipeline "lost" stopped: the heartbeat of run run_lost could not be written for 30s: metadata store .*attempt to write a readonly database/,
    );
  });
});
