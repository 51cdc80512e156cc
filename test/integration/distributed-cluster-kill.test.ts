import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ClusterProject,
  createClusterProject,
  DAG_DATE,
  DAILY_DATES,
  pidOf,
  recordViolations,
} from "../support/distributed-cluster.js";
import { postgresAvailable } from "../support/servers.js";
import { dropSchemas, runWeir, waitFor, withStore } from "../support/weir-process.js";

/**
 * The distributed executor as separate processes: 2 `weir scheduler` + 3 `weir worker` on
 * one PostgreSQL metadata store, a PostgreSQL warehouse every task writes its row to. The
 * schedulers queue a 500-task DAG (10 layers × 50) and catch up 30 days of a daily
 * pipeline; in the middle one worker (while it runs attempts) and the scheduler that owns
 * the DAG run are SIGKILLed. Every task instance must end success with exactly one
 * successful attempt, every attempt's code must have run at most once (one `effects` row),
 * the killed worker's attempts must have been retried on other workers, and the outputs
 * and rows must equal those of a clean run with the local executor.
 */
const LAYERS = 10;
const WIDTH = 50;
let cluster: ClusterProject | undefined;
const cleanSchema = `dkill_clean_${Math.random().toString(36).slice(2, 8)}`;

afterAll(async () => {
  await cluster?.dispose();
  if (postgresAvailable) await dropSchemas(cleanSchema);
});

type Outputs = Map<string, Record<string, unknown>>;

/** Task outputs per "<pipeline> <logical date>" of a store. */
async function outputsOf(url: string): Promise<Outputs> {
  return withStore(url, async (store) => {
    const result: Outputs = new Map();
    for (const pipeline of ["dag", "daily"]) {
      for (const run of await store.runs.list({ pipeline, limit: 1000 })) {
        const outputs: Record<string, unknown> = {};
        for (const o of await store.tasks.outputs(run.id)) outputs[o.taskId] = JSON.parse(o.value as string);
        result.set(`${pipeline} ${run.logicalDate}`, outputs);
      }
    }
    return result;
  });
}

describe.skipIf(!postgresAvailable)(
  "distributed executor: 2 schedulers + 3 workers, kill -9 in the middle",
  () => {
    it("500-task DAG and 30-day catch-up: each task succeeds once, the killed worker's attempts move, outputs equal a clean run", async () => {
      const startedAt = Date.now();
      cluster = await createClusterProject("dkill", { dag: { layers: LAYERS, width: WIDTH }, daily: true });
      const c = cluster;
      const workers = await Promise.all(
        ["w1", "w2", "w3"].map((name) =>
          c.spawnWorker(name, { concurrency: 4, env: { DIST_TASK_MS: "50-200" } }),
        ),
      );
      const schedulers = ["s1", "s2"].map((name) => c.spawnScheduler(name));

      await waitFor("50 DAG tasks to succeed", async () => (await c.db.succeeded("dag")) >= 50, 60_000);
      const listed = await c.workers();
      expect(listed).toHaveLength(3);
      for (const w of workers) {
        const record = listed.find((l) => l.pid === w.child.pid);
        expect(record).toMatchObject({ state: "alive", queues: ["default"], concurrency: 4 });
        expect(record!.host).toBeTruthy();
        expect(Date.now() - Date.parse(record!.heartbeatAt)).toBeLessThan(5_000);
      }

      // The kill: once a third of the DAG is done, the worker running the most attempts, with the DAG's owner.
      let victim = "";
      await waitFor(
        "150 DAG tasks done and a worker running 2+ attempts",
        async () => {
          if ((await c.db.succeeded("dag")) < 150) return false;
          const running = [...(await c.db.runningByWorker())].sort((a, b) => b[1] - a[1]);
          if ((running[0]?.[1] ?? 0) < 2) return false;
          victim = running[0]![0];
          return true;
        },
        60_000,
      );
      const dagOwner = (await c.db.runStates("dag"))[0]!.owner!;
      const killedWorker = workers.find((w) => w.child.pid === pidOf(victim))!;
      const killedScheduler = schedulers.find((s) => s.child.pid === pidOf(dagOwner))!;
      expect(killedWorker, victim).toBeDefined();
      expect(killedScheduler, dagOwner).toBeDefined();
      killedWorker.child.kill("SIGKILL");
      killedScheduler.child.kill("SIGKILL");
      await Promise.all([killedWorker.exited, killedScheduler.exited]);
      const killedAt = Date.now();
      // What the killed worker was running: taken, no outcome stored, and it never will be.
      const orphaned = (await c.db.attempts()).filter((a) => a.worker_id === victim && !a.has_outcome);
      expect(orphaned.length).toBeGreaterThan(0);

      await waitFor(
        "the DAG run and the 30 daily runs to succeed",
        async () => {
          const runs = [...(await c.db.runStates("dag")), ...(await c.db.runStates("daily"))];
          return runs.length === 31 && runs.every((r) => r.state === "succeeded");
        },
        120_000,
      );
      const doneAt = Date.now();
      const after = await c.workers();
      expect(after.find((w) => w.pid === killedWorker.child.pid)?.state).toBe("stale");
      expect(after.filter((w) => w.state === "alive")).toHaveLength(2);
      const survivors = [
        ...workers.filter((w) => w !== killedWorker),
        ...schedulers.filter((s) => s !== killedScheduler),
      ];
      for (const p of survivors) p.child.kill("SIGTERM");
      expect(await Promise.all(survivors.map((p) => p.exited))).toEqual([0, 0, 0]);

      // The record: one run per date, every instance success with one successful attempt, one row per execution.
      expect((await c.db.runStates("daily")).map((r) => r.logical_date)).toEqual(DAILY_DATES);
      expect((await c.db.runStates("dag")).map((r) => r.logical_date)).toEqual([DAG_DATE]);
      const attempts = await c.db.attempts();
      const instances = await c.db.instances();
      expect(instances).toHaveLength(LAYERS * WIDTH + 3 * DAILY_DATES.length);
      const effects = await c.db.effects(c.warehouseSchema);
      expect(recordViolations(attempts, instances, effects, new Set([victim]))).toEqual([]);
      // Every attempt went through the queue, and the killed worker's were retried on another worker.
      expect(attempts.filter((a) => a.state === "success" && !a.worker_id)).toEqual([]);
      for (const o of orphaned) {
        const mine = attempts.filter((a) => a.run_id === o.run_id && a.task_id === o.task_id);
        expect(mine.find((a) => a.attempt === o.attempt)).toMatchObject({
          state: "failed",
          error_code: "TASK_ZOMBIE",
        });
        const next = mine.find((a) => a.attempt === o.attempt + 1);
        expect(next?.worker_id).toBeTruthy();
        expect(next!.worker_id).not.toBe(victim);
        expect(mine.find((a) => a.state === "success")!.worker_id).not.toBe(victim);
      }
      // All three workers did work, and the surviving scheduler finished the DAG it did not start.
      expect(new Set(attempts.map((a) => a.worker_id).filter(Boolean)).size).toBe(3);

      // The clean run: the same pipelines with the local executor, another metadata store and warehouse schema.
      await c.db.createEffects(cleanSchema);
      const cleanStore = join(c.dir, "clean.db");
      const cleanEnv = c.env({
        WEIR_EXECUTOR: "local",
        WEIR_METADATA_URL: cleanStore,
        WEIR_HOME: join(c.dir, "home-clean"),
        DIST_WH_SCHEMA: cleanSchema,
      });
      const [dagRun, backfill] = await Promise.all([
        runWeir(["run", "dag", "--date", DAG_DATE, "--json"], cleanEnv),
        runWeir(
          [
            "backfill",
            "daily",
            "--from",
            DAILY_DATES[0]!,
            "--to",
            DAILY_DATES.at(-1)!,
            "--concurrency",
            "4",
            "--json",
          ],
          cleanEnv,
        ),
      ]);
      expect(dagRun.code, dagRun.stderr).toBe(0);
      expect(backfill.code, backfill.stderr).toBe(0);
      const [distributedOutputs, cleanOutputs] = [
        await outputsOf(c.metadataUrl),
        await outputsOf(cleanStore),
      ];
      expect(distributedOutputs.size).toBe(31);
      expect(distributedOutputs).toEqual(cleanOutputs);
      const rows = (schema: string) =>
        c.db
          .query<{ pipeline: string; logical_date: string; task: string; value: string }>(
            `SELECT e.pipeline, e.logical_date, e.task, e.value FROM "${schema}".effects e
           ORDER BY e.pipeline, e.logical_date, e.task`,
          )
          .then((r) => r);
      const successfulRows = effects
        .filter((e) =>
          attempts.some(
            (a) =>
              a.run_id === e.run_id &&
              a.task_id === e.task &&
              a.attempt === e.attempt &&
              a.state === "success",
          ),
        )
        .map((e) => ({
          pipeline: e.pipeline,
          logical_date: e.logical_date,
          task: e.task,
          value: String(e.value),
        }))
        .sort((x, y) =>
          `${x.pipeline} ${x.logical_date} ${x.task}`.localeCompare(
            `${y.pipeline} ${y.logical_date} ${y.task}`,
          ),
        );
      const cleanRows = (await rows(cleanSchema)).sort((x, y) =>
        `${x.pipeline} ${x.logical_date} ${x.task}`.localeCompare(
          `${y.pipeline} ${y.logical_date} ${y.task}`,
        ),
      );
      expect(cleanRows).toHaveLength(LAYERS * WIDTH + 3 * DAILY_DATES.length);
      expect(successfulRows).toEqual(cleanRows);
      console.info(
        `distributed kill test: ${orphaned.length} attempt(s) of the killed worker retried elsewhere; ` +
          `${attempts.length} attempts for ${instances.length} instances; cluster ${((doneAt - startedAt) / 1000).toFixed(1)} s ` +
          `(recovery after the kill ${((doneAt - killedAt) / 1000).toFixed(1)} s), total ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
      );
    }, 180_000);
  },
);
