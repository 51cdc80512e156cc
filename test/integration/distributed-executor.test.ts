import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { PostgresMetadataStore } from "../../src/metadata/postgres-metadata-store.js";
import { sqlDatabaseOf } from "../../src/metadata/sql-database-of.js";
import {
  definePipeline,
  defineTask,
  type PipelineDefinition,
} from "../../src/orchestrator/define-pipeline.js";
import { DistributedTaskRunner } from "../../src/orchestrator/distributed/distributed-task-runner.js";
import { jobKeyOf, type RemoteJob, taskIdentifierOf } from "../../src/orchestrator/distributed/queue-job.js";
import { WeirWorker } from "../../src/orchestrator/distributed/weir-worker.js";
import { WorkerRegistry } from "../../src/orchestrator/distributed/worker-registry.js";
import { executeRun } from "../../src/orchestrator/executor/execute-run.js";
import { resumeRun } from "../../src/orchestrator/executor/resume-run.js";
import { TcpProxy } from "../support/distributed-tcp-proxy.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

/** Which worker ran what, and how often each task instance's code ran. */
const ranOn: Record<string, string[]> = {};
const runs: Record<string, number> = {};
let currentWorker = "";

function note(key: string, where: string): void {
  runs[key] = (runs[key] ?? 0) + 1;
  ranOn[key] = [...(ranOn[key] ?? []), where];
}

/** extract → square (mapped over extract's items) → flaky (fails its first attempt) → total (queue heavy). */
function dagPipeline(id: string, where: () => string): PipelineDefinition {
  return definePipeline({
    id,
    retries: 1,
    retryDelay: 0,
    tasks: [
      defineTask({
        id: "extract",
        run: async (ctx) => {
          note(`${id}/extract`, where());
          ctx.logger.info("extracted 3 items");
          ctx.recordRows({ out: 3 });
          return [2, 3, 4];
        },
      }),
      defineTask({
        id: "square",
        dependsOn: ["extract"],
        map: (ctx) => ctx.outputOf<number[]>("extract"),
        run: async (_ctx, item: number) => {
          note(`${id}/square/${item}`, where());
          return item * item;
        },
      }),
      defineTask({
        id: "flaky",
        dependsOn: ["square"],
        run: async (ctx) => {
          note(`${id}/flaky`, where());
          if (ctx.attempt === 1) throw new Error("first attempt fails");
          return ctx.outputOf<number[]>("square").length;
        },
      }),
      defineTask({
        id: "total",
        dependsOn: ["square", "flaky"],
        queue: "heavy",
        run: async (ctx) => {
          note(`${id}/total`, where());
          return ctx.outputOf<number[]>("square").reduce((a, b) => a + b, 0) + ctx.outputOf<number>("flaky");
        },
      }),
    ],
  });
}

describe.skipIf(!postgresAvailable)("distributed executor (PostgreSQL queue, in-process workers)", () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const schema = `dist_${suffix}`;
  const queueSchema = `dist_q_${suffix}`;
  const url = `${POSTGRES_URL}?schema=${schema}`;
  let store: PostgresMetadataStore;
  let runner: DistributedTaskRunner;
  let engine: DuckDBEngine;
  let lake: Lake;
  let dir: string;
  const pipelines = new Map<string, PipelineDefinition>();
  const workers: WeirWorker[] = [];

  const startWorker = (queues: string[], name: string) =>
    WeirWorker.start({
      store,
      url,
      queueSchema,
      queues,
      concurrency: 2,
      name,
      heartbeatMs: 100,
      pollMs: 200,
      pipelineOf: async (job) => {
        currentWorker = name;
        return pipelines.get(job.pipeline)!;
      },
      openRuntime: async () => ({ engine, lake, release: async () => undefined }),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-dist-"));
    engine = await DuckDBEngine.create();
    lake = await Lake.open({ root: join(dir, "lake"), engine });
    store = await PostgresMetadataStore.open({ url });
    runner = await DistributedTaskRunner.open({ store, url, queueSchema, pollMs: 100 });
    workers.push(await startWorker(["default"], "light"), await startWorker(["heavy", "default"], "heavy"));
  });

  afterAll(async () => {
    for (const w of workers) await w.abort().catch(() => undefined);
    await runner?.close();
    const db = sqlDatabaseOf(store)!;
    await db.run(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`).catch(() => undefined);
    await db.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await store?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function outcomeOf(runId: string) {
    const tasks = (await store.tasks.list(runId)).map((t) => ({
      task: t.mapIndex < 0 ? t.taskId : `${t.taskId}[${t.mapIndex}]`,
      state: t.state,
      tries: t.tryNumber,
    }));
    const outputs = Object.fromEntries(
      (await store.tasks.outputs(runId)).map((o) => [
        o.mapIndex < 0 ? o.taskId : `${o.taskId}[${o.mapIndex}]`,
        o.value,
      ]),
    );
    return { tasks, outputs };
  }

  it("runs a DAG with a mapped task, outputs passed down and a retry exactly as the local executor does", async () => {
    // The worker's handler sets currentWorker just before the task runs; both run in this process.
    const remote = dagPipeline("dag_remote", () => currentWorker);
    const local = dagPipeline("dag_local", () => "local");
    pipelines.set(remote.id, remote);
    const logicalDate = new Date("2024-03-01T00:00:00Z");
    const base = { store, runtime: { engine, lake }, logicalDate, heartbeatTimeoutMs: 2_000 };
    const localResult = await executeRun({ ...base, pipeline: local });
    const remoteResult = await executeRun({ ...base, pipeline: remote, taskRunner: runner });
    expect(localResult.state).toBe("succeeded");
    expect(remoteResult.state).toBe("succeeded");
    expect(remoteResult.outputs).toEqual(localResult.outputs);
    expect(remoteResult.outputs).toMatchObject({ total: 4 + 9 + 16 + 3 });
    expect((await outcomeOf(remoteResult.runId)).tasks).toEqual((await outcomeOf(localResult.runId)).tasks);
    expect((await outcomeOf(remoteResult.runId)).outputs).toEqual(
      (await outcomeOf(localResult.runId)).outputs,
    );
    // Every instance ran once, the flaky task twice (its retry), none in this test's own executor.
    for (const k of ["extract", "square/2", "square/3", "square/4", "total"])
      expect(runs[`dag_remote/${k}`]).toBe(1);
    expect(runs["dag_remote/flaky"]).toBe(2);
    expect(
      Object.entries(ranOn)
        .filter(([k]) => k.startsWith("dag_remote"))
        .flatMap(([, w]) => w),
    ).not.toContain("local");
    // The worker's log lines are the attempt's, in the store; attempts record the worker as their owner.
    const logs = await store.tasks.logs(remoteResult.runId, { taskId: "extract" });
    expect(logs.map((l) => l.message)).toContain("extracted 3 items");
    const attempts = await store.tasks.attempts(remoteResult.runId, "flaky");
    expect(attempts.map((a) => [a.attempt, a.state])).toEqual([
      [1, "failed"],
      [2, "success"],
    ]);
    expect(attempts[0]!.error).toContain("first attempt fails");
  });

  it("routes a task on queue heavy only to the worker serving heavy", async () => {
    const p = dagPipeline("dag_routing", () => currentWorker);
    pipelines.set(p.id, p);
    for (let day = 1; day <= 3; day++) {
      const r = await executeRun({
        pipeline: p,
        store,
        runtime: { engine, lake },
        logicalDate: new Date(Date.UTC(2024, 3, day)),
        taskRunner: runner,
      });
      expect(r.state).toBe("succeeded");
    }
    expect(ranOn["dag_routing/total"]).toEqual(["heavy", "heavy", "heavy"]);
  });

  it("drops a re-delivered job of an attempt that has finished: the task does not run again", async () => {
    const p = dagPipeline("dag_redeliver", () => currentWorker);
    pipelines.set(p.id, p);
    const r = await executeRun({
      pipeline: p,
      store,
      runtime: { engine, lake },
      logicalDate: new Date("2024-05-01T00:00:00Z"),
      taskRunner: runner,
    });
    expect(r.state).toBe("succeeded");
    const before = runs["dag_redeliver/extract"];
    const dropped = workers.reduce((n, w) => n + w.dropped, 0);
    const { makeWorkerUtils } = await import("graphile-worker");
    const utils = await makeWorkerUtils({ connectionString: POSTGRES_URL, schema: queueSchema });
    const job: RemoteJob = {
      runId: r.runId,
      pipeline: p.id,
      taskId: "extract",
      mapIndex: -1,
      attempt: 1,
      queue: "default",
    };
    await utils.addJob(taskIdentifierOf("default"), job, { jobKey: `${jobKeyOf(job)}/again` });
    await utils.release();
    const deadline = Date.now() + 5_000;
    while (workers.reduce((n, w) => n + w.dropped, 0) === dropped && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(workers.reduce((n, w) => n + w.dropped, 0)).toBe(dropped + 1);
    expect(runs["dag_redeliver/extract"]).toBe(before);
  });

  it("lists the workers with their queues and state; a drained worker is stopped", async () => {
    const extra = await startWorker(["default"], "short-lived");
    const registry = new WorkerRegistry(sqlDatabaseOf(store)!);
    const staleBefore = new Date(Date.now() - 2_000).toISOString();
    const before = await registry.list(staleBefore);
    expect(before.find((w) => w.id === extra.id)).toMatchObject({
      name: "short-lived",
      queues: ["default"],
      state: "alive",
      runningAttempts: 0,
    });
    expect(before.find((w) => w.name === "heavy")).toMatchObject({
      queues: ["heavy", "default"],
      concurrency: 2,
    });
    await extra.drain();
    const after = await registry.list(new Date(Date.now() - 2_000).toISOString());
    expect(after.find((w) => w.id === extra.id)?.state).toBe("stopped");
  });

  it("a run timeout reaches the attempt on its worker: the task is told to stop and fails RUN_TIMEOUT", async () => {
    let sawAbort = false;
    const p = definePipeline({
      id: "dist_timeout",
      runTimeout: "400ms",
      tasks: [
        defineTask({
          id: "forever",
          run: (ctx) =>
            new Promise((_, reject) =>
              ctx.signal.addEventListener("abort", () => {
                sawAbort = true;
                reject(ctx.signal.reason);
              }),
            ),
        }),
      ],
    });
    pipelines.set(p.id, p);
    const r = await executeRun({
      pipeline: p,
      store,
      runtime: { engine, lake },
      logicalDate: new Date("2024-06-01"),
      taskRunner: runner,
    });
    expect(r.state).toBe("failed");
    expect(sawAbort).toBe(true);
    const [attempt] = await store.tasks.attempts(r.runId, "forever");
    expect(attempt).toMatchObject({ state: "failed", errorCode: "RUN_TIMEOUT" });
  });

  it("pools still limit attempts across workers: a 1-slot pool runs mapped instances one at a time", async () => {
    let inPool = 0;
    let most = 0;
    const p = definePipeline({
      id: "dist_pool",
      pools: { one_at_a_time: 1 },
      tasks: [
        defineTask({
          id: "each",
          pool: "one_at_a_time",
          map: () => [1, 2, 3, 4],
          run: async (_ctx, item: number) => {
            inPool++;
            most = Math.max(most, inPool);
            await new Promise((resolve) => setTimeout(resolve, 40));
            inPool--;
            return item;
          },
        }),
      ],
    });
    pipelines.set(p.id, p);
    const r = await executeRun({
      pipeline: p,
      store,
      runtime: { engine, lake },
      logicalDate: new Date("2024-06-02"),
      taskRunner: runner,
      pollMs: 20,
    });
    expect(r.state).toBe("succeeded");
    expect(r.outputs).toMatchObject({ each: [1, 2, 3, 4] });
    expect(most).toBe(1);
  });

  it("an owner aborted while its attempt waits on a queue no worker serves withdraws it and returns; resumed, it runs once", async () => {
    const queue = `idle_${suffix}`;
    let executions = 0;
    const p = definePipeline({
      id: "dist_withdraw",
      tasks: [
        defineTask({
          id: "waits",
          queue,
          run: async () => {
            executions++;
            return "done";
          },
        }),
      ],
    });
    pipelines.set(p.id, p);
    const db = sqlDatabaseOf(store)!;
    const shutdown = new AbortController();
    const base = { pipeline: p, store, runtime: { engine, lake }, taskRunner: runner };
    const running = executeRun({ ...base, logicalDate: new Date("2024-07-01"), signal: shutdown.signal });
    // Abort once the attempt is in the queue (no worker serves it, so it can only wait there).
    const queued = Date.now() + 5_000;
    while (Date.now() < queued) {
      const row = await db.get<{ n: number | string }>(
        "SELECT COUNT(*) AS n FROM remote_attempts WHERE task_id = ?",
        ["waits"],
      );
      if (Number(row?.n) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const abortedAt = Date.now();
    shutdown.abort(new Error("test shutdown"));
    const interrupted = await running;
    expect(Date.now() - abortedAt).toBeLessThan(3_000);
    expect(interrupted.state).toBe("interrupted");
    // Handed back as queued, no retry used; the withdrawn attempt cannot be taken any more.
    const [instance] = await store.tasks.list(interrupted.runId);
    expect(instance).toMatchObject({ taskId: "waits", state: "queued" });
    expect(await store.tasks.attempts(interrupted.runId, "waits")).toMatchObject([
      { attempt: 1, state: "failed" },
    ]);
    const withdrawn = await db.get<{ worker_id: string | null; cancel: string | null }>(
      "SELECT worker_id, cancel FROM remote_attempts WHERE run_id = ? AND attempt = 1",
      [interrupted.runId],
    );
    expect(withdrawn?.worker_id).toBeNull();
    expect(JSON.parse(withdrawn!.cancel!)).toMatchObject({ why: "shutdown" });
    // A worker for that queue now: the withdrawn attempt's job is dropped, the resumed run's attempt runs once.
    const worker = await startWorker([queue], "late");
    workers.push(worker);
    const resumed = await resumeRun(interrupted.runId, base);
    expect(resumed.state).toBe("succeeded");
    expect(resumed.outputs).toMatchObject({ waits: "done" });
    const dropped = Date.now() + 5_000;
    while (worker.dropped === 0 && Date.now() < dropped)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worker.dropped).toBe(1);
    expect(worker.executed).toBe(1);
    expect(executions).toBe(1);
    const attempts = await store.tasks.attempts(interrupted.runId, "waits");
    expect(attempts.map((a) => a.state)).toEqual(["failed", "success"]);
  });

  it("a queue PostgreSQL refuses fails the attempt with QUEUE_UNAVAILABLE (retried per policy); the owner stays up", async () => {
    const proxy = await TcpProxy.start("127.0.0.1", Number(new URL(POSTGRES_URL).port || 5432));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const cutOff = await DistributedTaskRunner.open({
      store,
      url: proxy.urlThrough(url),
      queueSchema,
      pollMs: 100,
      enqueueRetryMs: 800,
    });
    try {
      let executions = 0;
      const p = definePipeline({
        id: "dist_queue_down",
        retries: 1,
        retryDelay: 0,
        tasks: [
          defineTask({
            id: "never_queued",
            run: async () => {
              executions++;
              return 1;
            },
          }),
        ],
      });
      pipelines.set(p.id, p);
      proxy.cut();
      const started = Date.now();
      const r = await executeRun({
        pipeline: p,
        store,
        runtime: { engine, lake },
        logicalDate: new Date("2024-07-02"),
        taskRunner: cutOff,
      });
      expect(r.state).toBe("failed");
      // Each attempt was tried again with backoff (200 + 400 ms within its 800 ms), then failed with the code.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      const attempts = await store.tasks.attempts(r.runId, "never_queued");
      expect(attempts.map((a) => [a.attempt, a.state, a.errorCode])).toEqual([
        [1, "failed", "QUEUE_UNAVAILABLE"],
        [2, "failed", "QUEUE_UNAVAILABLE"],
      ]);
      expect(executions).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      proxy.restore();
      await cutOff.close();
      await proxy.close();
    }
  });
});
