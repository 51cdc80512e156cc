import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { sqlDatabaseOf } from "../../src/metadata/sql-database-of.js";
import { DistributedTaskRunner } from "../../src/orchestrator/distributed/distributed-task-runner.js";
import type { WorkerRecord } from "../../src/orchestrator/distributed/worker-registry.js";
import { resumeRun } from "../../src/orchestrator/executor/resume-run.js";
import { loadPipeline } from "../../src/orchestrator/load-pipeline.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import {
  dropSchemas,
  ROOT,
  runWeir,
  spawnWeir,
  type WeirProcess,
  waitFor,
  withStore,
} from "../support/weir-process.js";

/**
 * `weir worker` and `weir run` with `executor: "distributed"` as separate processes on a
 * real PostgreSQL: a worker SIGKILLed mid-attempt is reaped and its attempt retried on
 * another worker (the task ends success once); SIGTERM drains (the running attempt
 * finishes, exit 0); `weir workers list --json` shows them.
 */
const DEFINE = JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"));
const children: ChildProcess[] = [];
const suffix = Math.random().toString(36).slice(2, 8);
const schema = `distp_${suffix}`;
const queueSchema = `distp_q_${suffix}`;
const url = `${POSTGRES_URL}?schema=${schema}`;
let dir: string;
let env: Record<string, string>;

/** Lines "<task> <attempt> <pid> start|end" the tasks append, in order. */
function executions(): string[] {
  const file = join(dir, "executions.log");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-dist-proc-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `export default { pipelines: ["pipelines"], home: "home", metadata: ${JSON.stringify(url)},
       executor: "distributed", distributed: { queueSchema: ${JSON.stringify(queueSchema)}, poll: 100 } };`,
  );
  mkdirSync(join(dir, "pipelines", "dist"), { recursive: true });
  const log = JSON.stringify(join(dir, "executions.log"));
  writeFileSync(
    join(dir, "pipelines", "dist", "pipeline.ts"),
    `import { appendFileSync } from "node:fs";
     import { definePipeline, defineTask } from ${DEFINE};
     const note = (what) => appendFileSync(${log}, what + "\\n");
     // Attempt 1 hangs (its worker is killed or drained meanwhile), a retry takes 300 ms.
     const slow = defineTask({ id: "slow", retries: 2, retryDelay: 0, run: async (ctx) => {
       note(\`slow \${ctx.attempt} \${process.pid} start\`);
       const ms = ctx.params.hang === "yes" && ctx.attempt === 1 ? 60_000 : Number(ctx.params.ms ?? 300);
       await new Promise((resolve) => setTimeout(resolve, ms));
       note(\`slow \${ctx.attempt} \${process.pid} end\`);
       return ctx.attempt;
     } });
     const after = defineTask({ id: "after", dependsOn: ["slow"], run: async (ctx) => ctx.outputOf("slow") + 100 });
     export default definePipeline({ id: "distjob", tasks: [slow, after] });`,
  );
  // A daily pipeline for \`weir backfill\`: each task notes the process it ran in.
  mkdirSync(join(dir, "pipelines", "days"), { recursive: true });
  writeFileSync(
    join(dir, "pipelines", "days", "pipeline.ts"),
    `import { appendFileSync } from "node:fs";
     import { definePipeline, defineTask } from ${DEFINE};
     const day = defineTask({ id: "day", run: async (ctx) => {
       appendFileSync(${log}, \`day \${ctx.logicalDate.toISOString().slice(0, 10)} \${process.pid} end\n\`);
       return 1;
     } });
     export default definePipeline({ id: "days", schedule: "@daily", startDate: "2024-05-01", tasks: [day] });`,
  );
  env = { WEIR_CONFIG: join(dir, "weir.config.ts"), WEIR_HEARTBEAT_TIMEOUT_MS: "1500" };
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (postgresAvailable) await dropSchemas(schema, queueSchema);
  rmSync(dir, { recursive: true, force: true });
});

async function startWorker(name: string): Promise<WeirProcess> {
  const worker = spawnWeir(
    ["worker", "--name", name, "--queues", "default", "--concurrency", "2"],
    env,
    children,
  );
  await waitFor(`worker ${name} to start`, () => worker.stdout().includes("on queues default"), 30_000);
  return worker;
}

describe.skipIf(!postgresAvailable)("weir worker processes", () => {
  it("a worker killed mid-attempt: the attempt is reaped and retried on another worker, success once", async () => {
    const a = await startWorker("a");
    const run = spawnWeir(
      ["run", "distjob", "--date", "2024-03-01", "--param", "hang=yes", "--json"],
      env,
      children,
    );
    await waitFor("attempt 1 to start on worker a", () =>
      executions().includes(`slow 1 ${a.child.pid} start`),
    );
    const b = await startWorker("b");
    a.child.kill("SIGKILL");
    const code = await run.exited;
    expect(code, `${run.stdout()}\n${run.stderr()}`).toBe(0);
    const lines = executions();
    expect(lines.filter((l) => l.endsWith(" end"))).toEqual([`slow 2 ${b.child.pid} end`]);
    expect(lines).toContain(`slow 2 ${b.child.pid} start`);
    const summary = JSON.parse(run.stdout()) as { runId: string; state: string };
    expect(summary.state).toBe("succeeded");
    await withStore(url, async (store) => {
      const attempts = await store.tasks.attempts(summary.runId, "slow");
      expect(attempts.map((t) => [t.attempt, t.state, t.errorCode ?? null])).toEqual([
        [1, "failed", "TASK_ZOMBIE"],
        [2, "success", null],
      ]);
      // The worker that ran each attempt (task_attempts.owner is the executor again once it took the outcome).
      const db = sqlDatabaseOf(store)!;
      const ranBy = await db.all<{ attempt: number; worker_id: string }>(
        "SELECT attempt, worker_id FROM remote_attempts WHERE run_id = ? AND task_id = 'slow' ORDER BY attempt",
        [summary.runId],
      );
      expect(ranBy.map((r) => r.worker_id.split(":")[2])).toEqual([String(a.child.pid), String(b.child.pid)]);
      const instances = await store.tasks.list(summary.runId);
      expect(instances.map((i) => [i.taskId, i.state])).toEqual([
        ["after", "success"],
        ["slow", "success"],
      ]);
    });
    const listed = await runWeir(["workers", "list", "--json"], env);
    const workers = JSON.parse(listed.stdout) as WorkerRecord[];
    expect(workers.find((w) => w.pid === a.child.pid)?.state).toBe("stale");
    expect(workers.find((w) => w.pid === b.child.pid)).toMatchObject({
      state: "alive",
      queues: ["default"],
      name: "b",
    });
    b.child.kill("SIGTERM");
    expect(await b.exited).toBe(0);
  }, 60_000);

  it("SIGTERM drains: the running attempt finishes and is recorded, then the worker exits 0", async () => {
    const w = await startWorker("drain");
    const before = executions().length;
    const run = spawnWeir(
      ["run", "distjob", "--date", "2024-03-02", "--param", "ms=1500", "--json"],
      env,
      children,
    );
    await waitFor("the attempt to start", () =>
      executions()
        .slice(before)
        .some((l) => l.startsWith("slow 1")),
    );
    w.child.kill("SIGTERM");
    expect(await w.exited, w.stdout()).toBe(0);
    expect(executions().slice(before)).toContain(`slow 1 ${w.child.pid} end`);
    // "after" still has to run: a new worker takes it once the drained one has gone.
    const next = await startWorker("next");
    expect(await run.exited, run.stderr()).toBe(0);
    expect((JSON.parse(run.stdout()) as { state: string }).state).toBe("succeeded");
    const listed = JSON.parse((await runWeir(["workers", "list", "--json"], env)).stdout) as WorkerRecord[];
    expect(listed.find((x) => x.pid === w.child.pid)?.state).toBe("stopped");
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  }, 60_000);

  it("an executor killed while a worker runs its attempt: the resumed run re-attaches, the task runs once", async () => {
    const w = await startWorker("steady");
    const before = executions().length;
    const run = spawnWeir(["run", "distjob", "--date", "2024-03-03", "--param", "ms=2500"], env, children);
    await waitFor("the attempt to start", () =>
      executions()
        .slice(before)
        .some((l) => l.startsWith("slow 1")),
    );
    const runId = /run (run_\w+)/.exec(run.stdout())?.[1];
    expect(runId, run.stdout()).toBeDefined();
    run.child.kill("SIGKILL");
    await run.exited;
    // Resumed here, as another scheduler would once the dead executor's heartbeat is stale.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const { pipeline, file } = await loadPipeline(join(dir, "pipelines", "dist"));
    const engine = await DuckDBEngine.create();
    const lake = await Lake.open({ root: join(dir, "resume-lake"), engine });
    await withStore(url, async (store) => {
      const runner = await DistributedTaskRunner.open({ store, url, queueSchema, pollMs: 100 });
      try {
        const result = await resumeRun(runId!, {
          pipeline,
          store,
          runtime: { engine, lake },
          taskRunner: runner,
          heartbeatTimeoutMs: 1_500,
          pipelineFile: file,
        });
        expect(result.state).toBe("succeeded");
        expect(result.outputs).toMatchObject({ slow: 1, after: 101 });
        const attempts = await store.tasks.attempts(runId!, "slow");
        expect(attempts.map((t) => [t.attempt, t.state])).toEqual([[1, "success"]]);
      } finally {
        await runner.close();
        await engine.close();
      }
    });
    expect(
      executions()
        .slice(before)
        .filter((l) => l.startsWith("slow")),
    ).toEqual([`slow 1 ${w.child.pid} start`, `slow 1 ${w.child.pid} end`]);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
  }, 60_000);

  it("weir backfill with executor distributed runs its tasks on a worker, not in its own process", async () => {
    const w = await startWorker("backfiller");
    const before = executions().length;
    const backfill = spawnWeir(
      ["backfill", "days", "--from", "2024-05-01", "--to", "2024-05-03", "--json"],
      env,
      children,
    );
    expect(await backfill.exited, `${backfill.stdout()}\n${backfill.stderr()}`).toBe(0);
    const report = JSON.parse(backfill.stdout()) as { succeeded: number; runs: { runId: string }[] };
    expect(report.succeeded).toBe(3);
    const ran = executions()
      .slice(before)
      .filter((l) => l.startsWith("day "))
      .sort();
    // Every day ran once, in the worker's process (the backfill's own pid never appears).
    expect(ran).toEqual(["2024-05-01", "2024-05-02", "2024-05-03"].map((d) => `day ${d} ${w.child.pid} end`));
    await withStore(url, async (store) => {
      const db = sqlDatabaseOf(store)!;
      for (const r of report.runs) {
        const handedOver = await db.all<{ worker_id: string }>(
          "SELECT worker_id FROM remote_attempts WHERE run_id = ?",
          [r.runId],
        );
        expect(handedOver.map((h) => h.worker_id.split(":")[2])).toEqual([String(w.child.pid)]);
      }
    });
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
  }, 60_000);
});
