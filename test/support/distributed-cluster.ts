import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { WorkerRecord } from "../../src/orchestrator/distributed/worker-registry.js";
import { POSTGRES_URL } from "./servers.js";
import { dropSchemas, ROOT, runWeir, spawnWeir, type WeirProcess, waitFor } from "./weir-process.js";

/**
 * A weir project for multi-process tests of the distributed executor: PostgreSQL metadata
 * and queue (fresh schemas), a PostgreSQL warehouse (fresh schema) where every task
 * attempt writes one row to `effects` — its side effect, so a task whose code ran twice
 * shows as two rows — and pipelines whose outputs are computed from their upstream
 * outputs, so a wrong or missing input changes the result.
 *
 * Tasks sleep for `DIST_TASK_MS` ("lo-hi": a duration per task and date between them,
 * the same in every process) before they write, which the tests set per process.
 */
export const DAG_DATE = "2024-01-01";
/** The daily pipeline's 30 dates, 2024-02-01 … 2024-03-01. */
export const DAILY_DATES = Array.from({ length: 30 }, (_, i) =>
  new Date(Date.UTC(2024, 1, 1 + i)).toISOString().slice(0, 10),
);

const DEFINE = JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"));

/** Which pipelines the project holds. */
export interface ClusterPipelines {
  /** `dag`: layers × width tasks, each depending on two of the layer before; one scheduled run on {@link DAG_DATE}. */
  dag?: { layers: number; width: number };
  /** `daily`: extract → transform → load, @daily with catchup over {@link DAILY_DATES}. */
  daily?: boolean;
  /** `fan`: this many independent tasks, no schedule (`weir run fan --date …`). */
  fan?: number;
}

export interface ClusterProject {
  dir: string;
  metadataSchema: string;
  queueSchema: string;
  warehouseSchema: string;
  metadataUrl: string;
  /** The environment every weir process of the project gets; `extra` on top. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Every process spawned through the project (SIGKILLed by `dispose`). */
  children: ChildProcess[];
  spawnWorker(name: string, options?: WorkerOptions): Promise<WeirProcess>;
  spawnScheduler(name: string, extra?: Record<string, string>): WeirProcess;
  /** `weir workers list --json`. */
  workers(): Promise<WorkerRecord[]>;
  db: ClusterDb;
  dispose(): Promise<void>;
}

export interface WorkerOptions {
  queues?: string;
  concurrency?: number;
  /** Environment on top of the project's (a proxied WEIR_METADATA_URL, DIST_TASK_MS). */
  env?: Record<string, string>;
}

/** Heartbeat timeout every process of a cluster project uses: zombies are reaped within seconds. */
export const HEARTBEAT_TIMEOUT_MS = 2_000;

export async function createClusterProject(
  prefix: string,
  pipelines: ClusterPipelines,
): Promise<ClusterProject> {
  const suffix = randomBytes(4).toString("hex");
  const metadataSchema = `${prefix}_meta_${suffix}`;
  const queueSchema = `${prefix}_queue_${suffix}`;
  const warehouseSchema = `${prefix}_wh_${suffix}`;
  const metadataUrl = `${POSTGRES_URL}?schema=${metadataSchema}`;
  const dir = mkdtempSync(join(tmpdir(), `weir-${prefix}-`));
  writeProject(dir, queueSchema, pipelines);
  const db = await ClusterDb.open(metadataSchema);
  await db.createEffects(warehouseSchema);
  const children: ChildProcess[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    WEIR_CONFIG: join(dir, "weir.config.ts"),
    WEIR_METADATA_URL: metadataUrl,
    WEIR_WAREHOUSE_URL: POSTGRES_URL,
    WEIR_EXECUTOR: "distributed",
    WEIR_HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
    DIST_WH_SCHEMA: warehouseSchema,
    DIST_TASK_MS: "0",
    ...extra,
  });
  return {
    dir,
    metadataSchema,
    queueSchema,
    warehouseSchema,
    metadataUrl,
    env,
    children,
    db,
    async spawnWorker(name, o = {}) {
      const worker = spawnWeir(
        [
          "worker",
          "--name",
          name,
          "--queues",
          o.queues ?? "default",
          "--concurrency",
          String(o.concurrency ?? 4),
        ],
        env({ WEIR_HOME: join(dir, `home-${name}`), ...o.env }),
        children,
      );
      await waitFor(
        `worker ${name} to start`,
        () => {
          if (worker.child.exitCode !== null) throw new Error(`worker ${name} exited: ${worker.stderr()}`);
          return worker.stdout().includes(" on queues ");
        },
        60_000,
      );
      return worker;
    },
    spawnScheduler(name, extra = {}) {
      return spawnWeir(["scheduler"], env({ WEIR_HOME: join(dir, `home-${name}`), ...extra }), children);
    },
    async workers() {
      const listed = await runWeir(["workers", "list", "--json"], env({ WEIR_HOME: join(dir, "home-cli") }));
      if (listed.code !== 0) throw new Error(`weir workers list failed: ${listed.stderr}`);
      return JSON.parse(listed.stdout) as WorkerRecord[];
    },
    async dispose() {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await Promise.all(
        children.map((c) =>
          c.exitCode === null && c.signalCode === null
            ? new Promise((resolve) => c.once("exit", resolve))
            : undefined,
        ),
      );
      await db.close();
      await dropSchemas(metadataSchema, queueSchema, warehouseSchema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function writeProject(dir: string, queueSchema: string, pipelines: ClusterPipelines): void {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `export default {
       pipelines: ["pipelines"],
       scheduler: { tick: "100ms", heartbeatTimeout: "2s", reapInterval: "300ms", shutdownGrace: "2s", maxConcurrentRuns: 4 },
       distributed: { queueSchema: ${JSON.stringify(queueSchema)}, poll: "200ms" },
     };`,
  );
  // The side effect and the pause, shared by every pipeline (outside pipelines/: not a pipeline).
  writeFileSync(
    join(dir, "effect.ts"),
    `import { createHash } from "node:crypto";
     export function dayOfYear(date: Date): number {
       return Math.round((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
     }
     /** Sleeps DIST_TASK_MS, then writes this attempt's row and returns \`value\` (the task's output). */
     export async function effect(ctx: any, value: number): Promise<number> {
       const [lo = 0, hi = lo] = (process.env.DIST_TASK_MS ?? "0").split("-").map(Number);
       const hash = createHash("sha1").update(ctx.taskId + ctx.logicalDate.toISOString()).digest().readUInt32BE(0);
       const ms = lo + (hi > lo ? hash % (hi - lo + 1) : 0);
       if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
       await ctx.engine.run(
         'INSERT INTO "' + process.env.DIST_WH_SCHEMA + '".effects (pipeline, run_id, logical_date, task, attempt, pid, value) VALUES ($1, $2, $3, $4, $5, $6, $7)',
         [ctx.pipelineId, ctx.runId, ctx.logicalDate.toISOString().slice(0, 10), ctx.taskId, ctx.attempt, process.pid, value],
       );
       return value;
     }`,
  );
  const effect = JSON.stringify(join(dir, "effect.ts"));
  if (pipelines.dag) {
    const { layers, width } = pipelines.dag;
    mkdirSync(join(dir, "pipelines", "dag"), { recursive: true });
    writeFileSync(
      join(dir, "pipelines", "dag", "pipeline.ts"),
      `import { definePipeline, defineTask } from ${DEFINE};
       import { effect } from ${effect};
       const LAYERS = ${layers}, WIDTH = ${width};
       const tasks = [];
       for (let l = 0; l < LAYERS; l++) {
         for (let i = 0; i < WIDTH; i++) {
           const deps = l === 0 ? [] : ["t" + (l - 1) + "_" + i, "t" + (l - 1) + "_" + ((i + 1) % WIDTH)];
           tasks.push(defineTask({ id: "t" + l + "_" + i, dependsOn: deps, run: async (ctx) =>
             effect(ctx, l === 0 ? i + 1 : (ctx.outputOf(deps[0]) * 3 + ctx.outputOf(deps[1]) + l) % 1000003) }));
         }
       }
       export default definePipeline({
         id: "dag", schedule: "@daily", startDate: "${DAG_DATE}", endDate: "${DAG_DATE}", catchup: true,
         retries: 3, retryDelay: 0, maxActiveTasks: 64, tasks,
       });`,
    );
  }
  if (pipelines.daily) {
    mkdirSync(join(dir, "pipelines", "daily"), { recursive: true });
    writeFileSync(
      join(dir, "pipelines", "daily", "pipeline.ts"),
      `import { definePipeline, defineTask } from ${DEFINE};
       import { dayOfYear, effect } from ${effect};
       const extract = defineTask({ id: "extract", run: async (ctx) => effect(ctx, dayOfYear(ctx.logicalDate) * 11) });
       const transform = defineTask({ id: "transform", dependsOn: ["extract"], run: async (ctx) =>
         effect(ctx, ctx.outputOf("extract") * 7 + 1) });
       const load = defineTask({ id: "load", dependsOn: ["transform"], run: async (ctx) =>
         effect(ctx, ctx.outputOf("transform") + ctx.outputOf("extract")) });
       export default definePipeline({
         id: "daily", schedule: "@daily", startDate: "${DAILY_DATES[0]}", endDate: "${DAILY_DATES.at(-1)}",
         catchup: true, maxActiveRuns: 4, retries: 3, retryDelay: 0, tasks: [extract, transform, load],
       });`,
    );
  }
  if (pipelines.fan) {
    mkdirSync(join(dir, "pipelines", "fan"), { recursive: true });
    writeFileSync(
      join(dir, "pipelines", "fan", "pipeline.ts"),
      `import { definePipeline, defineTask } from ${DEFINE};
       import { dayOfYear, effect } from ${effect};
       const tasks = Array.from({ length: ${pipelines.fan} }, (_, i) =>
         defineTask({ id: "f" + i, run: async (ctx) => effect(ctx, i * 1000 + dayOfYear(ctx.logicalDate)) }));
       export default definePipeline({ id: "fan", retries: 3, retryDelay: 0, maxActiveTasks: 64, tasks });`,
    );
  }
}

/** One row of `effects`: one execution of a task's code. */
export interface EffectRow {
  pipeline: string;
  run_id: string;
  logical_date: string;
  task: string;
  attempt: number;
  pid: number;
  value: number;
}

/** An attempt as the metadata store and the hand-over table record it. */
export interface AttemptRow {
  run_id: string;
  pipeline: string;
  logical_date: string;
  task_id: string;
  attempt: number;
  state: string;
  error_code: string | null;
  owner: string | null;
  worker_id: string | null;
  picked_at: string | null;
  has_outcome: boolean;
}

/** Reads the project's metadata and warehouse schemas directly (one pool, schema-qualified SQL). */
export class ClusterDb {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly meta: string,
  ) {}

  static async open(metadataSchema: string): Promise<ClusterDb> {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
    pool.on("error", () => undefined);
    return new ClusterDb(pool, metadataSchema);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql.replaceAll("meta.", `"${this.meta}".`), params)).rows as T[];
  }

  async createEffects(schema: string): Promise<void> {
    await this.pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await this.pool.query(
      `CREATE TABLE "${schema}".effects (pipeline text NOT NULL, run_id text NOT NULL, logical_date text NOT NULL,
         task text NOT NULL, attempt int NOT NULL, pid int NOT NULL, value bigint NOT NULL, at timestamptz DEFAULT now())`,
    );
  }

  async effects(schema: string): Promise<EffectRow[]> {
    const rows = await this.query<EffectRow & { value: string }>(
      `SELECT pipeline, run_id, logical_date, task, attempt, pid, value FROM "${schema}".effects
       ORDER BY pipeline, logical_date, task, attempt`,
    );
    return rows.map((r) => ({ ...r, value: Number(r.value) }));
  }

  /** Successful task instances of a pipeline (0 while the schema is not migrated yet). */
  async succeeded(pipeline: string): Promise<number> {
    try {
      const [row] = await this.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM meta.task_instances i JOIN meta.runs r ON r.id = i.run_id
         WHERE r.pipeline = $1 AND i.state = 'success'`,
        [pipeline],
      );
      return Number(row?.n ?? 0);
    } catch {
      return 0;
    }
  }

  async runStates(
    pipeline: string,
  ): Promise<{ id: string; logical_date: string; state: string; owner: string | null }[]> {
    try {
      return await this.query(
        "SELECT id, logical_date, state, owner FROM meta.runs WHERE pipeline = $1 ORDER BY logical_date",
        [pipeline],
      );
    } catch {
      return [];
    }
  }

  /** Running attempts per worker that runs them (task_attempts.owner is the worker while it does). */
  async runningByWorker(): Promise<Map<string, number>> {
    const rows = await this.query<{ owner: string; n: string }>(
      `SELECT owner, COUNT(*) AS n FROM meta.task_attempts WHERE state = 'running' AND owner LIKE 'worker:%' GROUP BY owner`,
    ).catch(() => []);
    return new Map(rows.map((r) => [r.owner, Number(r.n)]));
  }

  /** Every attempt of the store, with the worker that took it (when it went through the queue). */
  async attempts(): Promise<AttemptRow[]> {
    return this.query<AttemptRow>(
      `SELECT a.run_id, r.pipeline, r.logical_date, a.task_id, a.attempt, a.state, a.error_code, a.owner,
              ra.worker_id, ra.picked_at, ra.outcome IS NOT NULL AS has_outcome
       FROM meta.task_attempts a JOIN meta.runs r ON r.id = a.run_id
       LEFT JOIN meta.remote_attempts ra ON ra.run_id = a.run_id AND ra.task_id = a.task_id
         AND ra.map_index = a.map_index AND ra.attempt = a.attempt
       ORDER BY r.pipeline, r.logical_date, a.task_id, a.attempt`,
    );
  }

  async instances(): Promise<{ run_id: string; pipeline: string; task_id: string; state: string }[]> {
    return this.query(
      `SELECT i.run_id, r.pipeline, i.task_id, i.state FROM meta.task_instances i JOIN meta.runs r ON r.id = i.run_id`,
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The pid in a worker id (`worker:<host>:<pid>:<id>`) or a scheduler owner (`<host>:<pid>:<id>`). */
export function pidOf(id: string): number {
  const parts = id.split(":");
  return Number(parts.at(-2));
}

/**
 * Checks the record of a finished cluster against its side effects: every task instance
 * succeeded with exactly one successful attempt; every attempt's code wrote at most one
 * row; each instance has exactly one row for its successful attempt; a row of an attempt
 * that did not succeed may only come from a worker in `diedOrCut` (killed, or cut off
 * from the database while it ran). Returns a list of violations (empty when all hold).
 */
export function recordViolations(
  attempts: readonly AttemptRow[],
  instances: readonly { run_id: string; task_id: string; state: string }[],
  effects: readonly EffectRow[],
  diedOrCut: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const i of instances)
    if (i.state !== "success") problems.push(`${i.run_id}/${i.task_id} ended ${i.state}`);
  const successes = new Map<string, AttemptRow[]>();
  const byAttempt = new Map<string, AttemptRow>();
  for (const a of attempts) {
    byAttempt.set(`${a.run_id}/${a.task_id}/${a.attempt}`, a);
    if (a.state === "success")
      successes.set(`${a.run_id}/${a.task_id}`, [...(successes.get(`${a.run_id}/${a.task_id}`) ?? []), a]);
  }
  for (const i of instances) {
    const n = successes.get(`${i.run_id}/${i.task_id}`)?.length ?? 0;
    if (n !== 1) problems.push(`${i.run_id}/${i.task_id} has ${n} successful attempts`);
  }
  const rows = new Map<string, number>();
  for (const e of effects)
    rows.set(`${e.run_id}/${e.task}/${e.attempt}`, (rows.get(`${e.run_id}/${e.task}/${e.attempt}`) ?? 0) + 1);
  for (const [key, n] of rows) {
    if (n > 1) problems.push(`${key} ran its code ${n} times`);
    const a = byAttempt.get(key);
    if (!a) problems.push(`${key} wrote a row but is not in the record`);
    else if (a.state !== "success" && !(a.worker_id && diedOrCut.has(a.worker_id))) {
      problems.push(
        `${key} (${a.state} ${a.error_code}, worker ${a.worker_id}, owner ${a.owner}, outcome stored: ${a.has_outcome}) wrote a row but did not succeed`,
      );
    }
  }
  for (const [key, [a]] of successes) {
    if ((rows.get(`${key}/${a!.attempt}`) ?? 0) !== 1)
      problems.push(`${key} succeeded with attempt ${a!.attempt} but wrote no row`);
  }
  return problems;
}
