import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import { OnDemandDuckDBEngine } from "../../src/engines/duckdb/on-demand-duckdb-engine.js";
import { openDuckDBFile } from "../../src/engines/duckdb/open-duckdb-file.js";
import { SharedDuckDBFile } from "../../src/engines/duckdb/shared-duckdb-file.js";
import { lockHolderOf, WarehouseLockedError } from "../../src/engines/duckdb/warehouse-locked-error.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { definePipeline, defineTask } from "../../src/orchestrator/define-pipeline.js";
import { openRuntime } from "../../src/orchestrator/open-runtime.js";
import { runPipeline } from "../../src/orchestrator/run-pipeline.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { ROOT } from "../support/weir-process.js";

/**
 * DuckDB lets one process open a database file. These tests hold the warehouse file from
 * other processes and check that weir waits (bounded), names the holder, and never keeps
 * the file while it is not working with it.
 */

/** The DuckDB client, by URL: the child scripts live outside the repository. */
const DUCKDB = JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve("@duckdb/node-api")).href);
const src = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, "src", file)).href);
let dir: string;
const started: ChildProcess[] = [];

/** Holds a DuckDB file open for `holdMs` (or until killed); prints "held" once it has it. */
const HOLDER = `
import { DuckDBInstance } from ${DUCKDB};
const instance = await DuckDBInstance.create(process.argv[2]);
console.log("held");
setTimeout(() => { instance.closeSync(); console.log("released"); process.exit(0); }, Number(process.argv[3]));
`;

/** Opens a DuckDB file without waiting; exits 0 when it could, 3 when it was locked. */
const OPENER = `
import { DuckDBInstance } from ${DUCKDB};
try { (await DuckDBInstance.create(process.argv[2])).closeSync(); process.exit(0); }
catch (e) { console.error(String(e)); process.exit(3); }
`;

/**
 * Runs a pipeline of \`tasks\` sequential short attempts, each inserting one row (process
 * tag, attempt number, start and end times) into the shared warehouse, with its own
 * metadata store. Prints the run's state.
 */
const WRITER = `
import { definePipeline, defineTask } from ${src("orchestrator/define-pipeline.ts")};
import { openRuntime } from ${src("orchestrator/open-runtime.ts")};
import { runPipeline } from ${src("orchestrator/run-pipeline.ts")};
const [home, warehouse, tag, tasks, sleepMs] = process.argv.slice(2);
const runtime = await openRuntime({ home, warehouse, metadataUrl: home + "/" + tag + ".db", lineage: false, warehouseLockTimeoutMs: 20000 });
const ids = Array.from({ length: Number(tasks) }, (_, i) => "write_" + i);
const pipeline = definePipeline({
  id: "writer_" + tag,
  tasks: ids.map((id, i) => defineTask({
    id,
    ...(i > 0 ? { dependsOn: [ids[i - 1]] } : {}),
    run: async (ctx) => {
      const started = new Date().toISOString();
      await ctx.engine.run("CREATE TABLE IF NOT EXISTS writes (tag TEXT, n INTEGER, started TEXT, ended TEXT)");
      await new Promise((r) => setTimeout(r, Number(sleepMs)));
      await ctx.engine.run("INSERT INTO writes VALUES ($1, $2, $3, $4)", [tag, i, started, new Date().toISOString()]);
    },
  })),
});
const result = await runPipeline(pipeline, { logicalDate: "2024-01-01", ...runtime });
console.log(JSON.stringify({ state: result.state, error: result.error?.message }));
await runtime.close();
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-warehouse-lock-"));
  writeFileSync(join(dir, "holder.mjs"), HOLDER);
  writeFileSync(join(dir, "opener.mjs"), OPENER);
  writeFileSync(join(dir, "writer.mts"), WRITER);
});
afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

interface Child {
  child: ChildProcess;
  out(): string;
  exited: Promise<number | null>;
}

function node(script: string, args: string[]): Child {
  const child = spawn(process.execPath, ["--import", "tsx", join(dir, script), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return { child, out: () => out, exited };
}

/** A child holding `file` for `holdMs`, once it has it. */
async function holdFile(file: string, holdMs: number): Promise<Child> {
  const holder = node("holder.mjs", [file, String(holdMs)]);
  const deadline = Date.now() + 15_000;
  while (!holder.out().includes("held")) {
    if (Date.now() > deadline || holder.child.exitCode !== null) throw new Error(`holder: ${holder.out()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return holder;
}

/** Whether another process can open `file` right now (no waiting). */
async function otherProcessCanOpen(file: string): Promise<boolean> {
  const code = await node("opener.mjs", [file]).exited;
  if (code !== 0 && code !== 3) throw new Error(`opener exited ${code}`);
  return code === 0;
}

describe("lockHolderOf", () => {
  it("reads DuckDB's lock conflict and ignores other failures", () => {
    expect(
      lockHolderOf(
        'IO Error: Could not set lock on file "/w.duckdb": Conflicting lock is held in /usr/bin/node (PID 31539). See also …',
      ),
    ).toEqual({ program: "/usr/bin/node", pid: 31539 });
    expect(lockHolderOf('IO Error: Could not set lock on file "/w.duckdb": Resource busy')).toEqual({});
    expect(lockHolderOf("IO Error: No such file or directory")).toBeUndefined();
  });
});

describe("opening a DuckDB file another process holds", () => {
  it("waits up to the timeout, then fails with WAREHOUSE_LOCKED naming the holder's PID", async () => {
    const file = join(dir, "held.duckdb");
    const holder = await holdFile(file, 60_000);
    const t0 = Date.now();
    const error = await openDuckDBFile({ path: file, lockTimeoutMs: 800 }).catch((e: unknown) => e);
    const waited = Date.now() - t0;
    expect(error).toBeInstanceOf(WarehouseLockedError);
    const locked = error as WarehouseLockedError;
    expect(locked.code).toBe("WAREHOUSE_LOCKED");
    expect(locked.retryable).toBe(true);
    expect(locked.details).toMatchObject({ file, holderPid: holder.child.pid });
    expect(locked.message).toContain(`process ${holder.child.pid}`);
    expect(locked.message).toContain(file);
    expect(waited).toBeGreaterThanOrEqual(800);
    expect(waited).toBeLessThan(3_000);
    holder.child.kill("SIGKILL");
    await holder.exited;
  });

  it("opens once the holder lets go during the wait", async () => {
    const file = join(dir, "released.duckdb");
    const holder = await holdFile(file, 700);
    const t0 = Date.now();
    const engine = await openDuckDBFile({ path: file, lockTimeoutMs: 15_000 });
    const waited = Date.now() - t0;
    try {
      expect(await engine.query("SELECT 42 AS n")).toEqual([{ n: 42 }]);
    } finally {
      await engine.close();
    }
    expect(holder.out()).toContain("released");
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(10_000);
  });

  it("fails a task attempt with WAREHOUSE_LOCKED (retries apply) instead of crashing or skipping it", async () => {
    const home = join(dir, "attempt-home");
    const runtime = await openRuntime({ home, lineage: false, warehouseLockTimeoutMs: 400 });
    const holder = await holdFile(runtime.paths.warehouse, 60_000);
    try {
      let ran = 0;
      const pipeline = definePipeline({
        id: "locked_out",
        tasks: [
          defineTask({
            id: "write",
            retries: 1,
            retryDelay: 10,
            run: async (ctx) => {
              ran++;
              await ctx.engine.run("CREATE TABLE t AS SELECT 1 AS x");
            },
          }),
        ],
      });
      const result = await runPipeline(pipeline, { logicalDate: "2024-01-01", ...runtime });
      expect(result.state).toBe("failed");
      expect(ran).toBe(0);
      const attempts = await runtime.metadata.tasks.attempts(result.runId, "write");
      expect(attempts.map((a) => a.state)).toEqual(["failed", "failed"]);
      expect(attempts.map((a) => a.errorCode)).toEqual(["WAREHOUSE_LOCKED", "WAREHOUSE_LOCKED"]);
      expect(attempts[1]!.error).toContain(`process ${holder.child.pid}`);
    } finally {
      holder.child.kill("SIGKILL");
      await holder.exited;
      await runtime.close();
    }
  });
});

describe("a runtime on a DuckDB warehouse", () => {
  it("holds the file only while attempts run; parallel attempts share one open instance", async () => {
    const home = join(dir, "idle-home");
    const runtime = await openRuntime({ home, lineage: false });
    const file = runtime.paths.warehouse;
    const shared = (runtime.engine as OnDemandDuckDBEngine).sharedFile;
    try {
      // Opened and idle: another process can open the warehouse.
      expect(shared.isOpen).toBe(false);
      expect(await otherProcessCanOpen(file)).toBe(true);
      const opensBefore = shared.openCount;
      const seenUses: number[] = [];
      let arrived = 0;
      let bothRunning!: () => void;
      const barrier = new Promise<void>((resolve) => {
        bothRunning = resolve;
      });
      const lockedDuringRun: boolean[] = [];
      const task = (id: string) =>
        defineTask({
          id,
          run: async (ctx) => {
            await ctx.engine.run(`CREATE TABLE ${id} AS SELECT 1 AS x`);
            if (++arrived === 2) bothRunning();
            await barrier;
            seenUses.push(shared.activeUses);
            if (id === "a") lockedDuringRun.push(!(await otherProcessCanOpen(file)));
          },
        });
      const pipeline = definePipeline({ id: "parallel", maxActiveTasks: 2, tasks: [task("a"), task("b")] });
      const result = await runPipeline(pipeline, { logicalDate: "2024-01-01", concurrency: 2, ...runtime });
      expect(result.state).toBe("succeeded");
      expect(seenUses.every((n) => n >= 2)).toBe(true);
      // Both attempts (and the run's own statements after them) used one open of the file.
      expect(shared.openCount - opensBefore).toBe(1);
      expect(lockedDuringRun).toEqual([true]);
      // After the run the runtime is still open, the file is not.
      await waitUntil(() => !shared.isOpen, 2_000);
      expect(await otherProcessCanOpen(file)).toBe(true);
      const [row] = await runtime.engine.query<{ n: bigint }>("SELECT count(*) AS n FROM a");
      expect(Number(row!.n)).toBe(1);
    } finally {
      await runtime.close();
    }
  });

  it("keeps the file for the command with holdWarehouse, and lets it go on close", async () => {
    const home = join(dir, "held-home");
    const runtime = await openRuntime({ home, lineage: false, holdWarehouse: true });
    const file = runtime.paths.warehouse;
    try {
      await runtime.engine.run("CREATE TEMP TABLE session_only AS SELECT 1 AS x");
      // Session state lasts while held: the temporary table is still there.
      expect(await runtime.engine.query("SELECT x FROM session_only")).toEqual([{ x: 1 }]);
      expect(await otherProcessCanOpen(file)).toBe(false);
    } finally {
      await runtime.close();
    }
    expect(await otherProcessCanOpen(file)).toBe(true);
  });

  it("two processes running short attempts on one warehouse file all succeed, in turn", async () => {
    const home = join(dir, "stress-home");
    const warehouse = join(home, "warehouse.duckdb");
    const t0 = Date.now();
    const writers = ["p1", "p2"].map((tag) => node("writer.mts", [home, warehouse, tag, "6", "40"]));
    const codes = await Promise.all(writers.map((w) => w.exited));
    const elapsed = Date.now() - t0;
    for (const w of writers) expect(w.out()).toContain('"state":"succeeded"');
    expect(codes).toEqual([0, 0]);
    expect(elapsed).toBeLessThan(40_000);
    const engine = new OnDemandDuckDBEngine({ path: warehouse, lockTimeoutMs: 5_000 });
    try {
      const rows = await engine.query<{ tag: string; n: number; started: string; ended: string }>(
        "SELECT tag, n, started, ended FROM writes ORDER BY tag, n",
      );
      expect(rows.map((r) => ({ tag: r.tag, n: r.n }))).toEqual(
        ["p1", "p2"].flatMap((tag) => [0, 1, 2, 3, 4, 5].map((n) => ({ tag, n }))),
      );
      // The file lock serialised them: no attempt of one process ran inside one of the other.
      const p1 = rows.filter((r) => r.tag === "p1");
      const p2 = rows.filter((r) => r.tag === "p2");
      expect(p1.some((a) => p2.some((b) => a.started < b.ended && b.started < a.ended))).toBe(false);
    } finally {
      await engine.close();
    }
  }, 60_000);
});

describe.skipIf(!postgresAvailable)("a runtime on a PostgreSQL warehouse", () => {
  const schema = `weir_lock_${newId().toLowerCase()}`;
  let admin: PostgresEngine;
  let url: string;

  beforeAll(async () => {
    admin = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
    await admin.createSchema(schema);
    await admin.run(
      `CREATE TABLE ${admin.dialect.quoteIdent(schema)}.writes (tag TEXT, n INTEGER, started TEXT, ended TEXT)`,
    );
    const u = new URL(POSTGRES_URL);
    u.searchParams.set("options", `-csearch_path=${schema}`);
    url = u.toString();
  });
  afterAll(async () => {
    await admin?.run(`DROP SCHEMA IF EXISTS ${admin.dialect.quoteIdent(schema)} CASCADE`);
    await admin?.close();
  });

  it("lets two processes write at the same time (no file lock)", async () => {
    const home = join(dir, "pg-home");
    const writers = ["p1", "p2"].map((tag) => node("writer.mts", [home, url, tag, "2", "1500"]));
    const codes = await Promise.all(writers.map((w) => w.exited));
    for (const w of writers) expect(w.out()).toContain('"state":"succeeded"');
    expect(codes).toEqual([0, 0]);
    const rows = await admin.query<{ tag: string; n: number; started: string; ended: string }>(
      `SELECT tag, n, started, ended FROM ${admin.dialect.quoteIdent(schema)}.writes ORDER BY tag, n`,
    );
    expect(rows.map((r) => `${r.tag}:${r.n}`)).toEqual(["p1:0", "p1:1", "p2:0", "p2:1"]);
    // Each attempt spends 1.5 s inside its task: some attempt of p1 overlaps one of p2.
    const p1 = rows.filter((r) => r.tag === "p1");
    const p2 = rows.filter((r) => r.tag === "p2");
    const overlaps = p1.some((a) => p2.some((b) => a.started < b.ended && b.started < a.ended));
    expect(overlaps).toBe(true);
  }, 60_000);
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

// SharedDuckDBFile is process-wide: the registry must hand out one handle per path.
it("hands out one shared handle per file path in a process", () => {
  const a = SharedDuckDBFile.of({ path: join(dir, "x.duckdb") });
  const b = SharedDuckDBFile.of({ path: join(dir, ".", "x.duckdb") });
  expect(a).toBe(b);
});
