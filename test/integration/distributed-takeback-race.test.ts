/**
 * Guards exactly-once execution when an executor dies after it took a worker's outcome back
 * and before it recorded the attempt's end (found by distributed-cluster-kill.test.ts, fixed).
 *
 * `DistributedTaskRunner.check` sees the stored outcome and calls `RemoteAttempts.takeBack`
 * (task_attempts.owner := the executor), then posts the outcome to the run's inbox; the
 * attempt stays `running` until the executor's loop gets to `finishAttempt`. Under load (a
 * 500-task DAG, outcomes queue up in the inbox) many attempts sit in that window. If the
 * executor is SIGKILLed then, a reaper must not condemn them as TASK_ZOMBIE (their code has
 * finished: `remote_attempts.outcome` holds the result): `reapStaleAttempts` skips attempts
 * with a stored outcome, and the resuming executor re-attaches and records that outcome, so
 * the task's code does not run a second time.
 *
 * The test reaches the window's state by rewinding a finished attempt to it: running,
 * owned by the run's (dead) owner, the outcome stored, the run's heartbeat stale.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { PostgresMetadataStore } from "../../src/metadata/postgres-metadata-store.js";
import { sqlDatabaseOf } from "../../src/metadata/sql-database-of.js";
import { definePipeline, defineTask } from "../../src/orchestrator/define-pipeline.js";
import { DistributedTaskRunner } from "../../src/orchestrator/distributed/distributed-task-runner.js";
import { WeirWorker } from "../../src/orchestrator/distributed/weir-worker.js";
import { executeRun } from "../../src/orchestrator/executor/execute-run.js";
import { reapZombies } from "../../src/orchestrator/executor/reap-zombies.js";
import { resumeRun } from "../../src/orchestrator/executor/resume-run.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

describe.skipIf(!postgresAvailable)(
  "distributed executor: executor killed between take-back and the attempt's end",
  () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const schema = `dtake_${suffix}`;
    const queueSchema = `dtake_q_${suffix}`;
    const url = `${POSTGRES_URL}?schema=${schema}`;
    let store: PostgresMetadataStore;
    let runner: DistributedTaskRunner;
    let worker: WeirWorker;
    let engine: DuckDBEngine;
    let lake: Lake;
    let dir: string;
    let executions = 0;
    const pipeline = definePipeline({
      id: "takeback",
      retries: 2,
      retryDelay: 0,
      tasks: [
        defineTask({
          id: "effect",
          run: async () => {
            executions++;
            return 42;
          },
        }),
      ],
    });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "weir-dtake-"));
      engine = await DuckDBEngine.create();
      lake = await Lake.open({ root: join(dir, "lake"), engine });
      store = await PostgresMetadataStore.open({ url });
      runner = await DistributedTaskRunner.open({ store, url, queueSchema, pollMs: 100 });
      worker = await WeirWorker.start({
        store,
        url,
        queueSchema,
        heartbeatMs: 100,
        pollMs: 200,
        pipelineOf: async () => pipeline,
        openRuntime: async () => ({ engine, lake, release: async () => undefined }),
      });
    });

    afterAll(async () => {
      await worker?.drain().catch(() => undefined);
      await runner?.close();
      const db = sqlDatabaseOf(store)!;
      await db.run(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`).catch(() => undefined);
      await db.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await store?.close();
      await engine?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("an attempt whose outcome the dead executor took back is not reaped and its code does not run again", async () => {
      const first = await executeRun({
        pipeline,
        store,
        runtime: { engine, lake },
        logicalDate: new Date("2024-03-01T00:00:00Z"),
        heartbeatTimeoutMs: 1_000,
        taskRunner: runner,
      });
      expect(first.state).toBe("succeeded");
      expect(executions).toBe(1);
      // Rewind to the window: the outcome is stored and taken back (owner = the run's owner),
      // the attempt not ended yet, and the run's owner dead (heartbeat long ago).
      const db = sqlDatabaseOf(store)!;
      const stale = "2000-01-01T00:00:00.000Z";
      await db.run("UPDATE runs SET state = 'running', ended_at = NULL, heartbeat_at = ? WHERE id = ?", [
        stale,
        first.runId,
      ]);
      await db.run(
        `UPDATE task_attempts SET state = 'running', ended_at = NULL, heartbeat_at = ?,
         owner = (SELECT owner FROM runs WHERE id = ?) WHERE run_id = ?`,
        [stale, first.runId, first.runId],
      );
      await db.run("UPDATE task_instances SET state = 'running', ended_at = NULL WHERE run_id = ?", [
        first.runId,
      ]);
      await db.run("DELETE FROM task_outputs WHERE run_id = ?", [first.runId]);
      const [handOver] = await db.all<{ outcome: string | null }>(
        "SELECT outcome FROM remote_attempts WHERE run_id = ?",
        [first.runId],
      );
      expect(handOver?.outcome).toBeTruthy();

      const { attempts } = await reapZombies(store, systemClock, 1_000);
      // Without the fix the attempt was reaped as TASK_ZOMBIE although its worker stored its outcome.
      expect(attempts).toEqual([]);
      const resumed = await resumeRun(first.runId, {
        pipeline,
        store,
        runtime: { engine, lake },
        taskRunner: runner,
        heartbeatTimeoutMs: 1_000,
      });
      expect(resumed.state).toBe("succeeded");
      expect(resumed.outputs).toEqual({ effect: 42 });
      expect(executions).toBe(1);
    }, 30_000);
  },
);
