import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dateOfDay,
  generateWarehouseData,
  type WarehouseData,
} from "../../examples/warehouse/generate-data.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { openEngine } from "../../src/engines/open-engine.js";
import { tableContentHash } from "../../src/warehouse/content-hash.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { ROOT } from "../support/weir-process.js";

/**
 * kill -9 in the middle of a day's warehouse load (examples/warehouse's tasks run by `weir run`):
 * right after the crash every table holds either the previous day's state or the finished
 * day's — never a part of a load — and running the day again gives exactly the tables of
 * a run that never crashed. On the embedded DuckDB warehouse and on PostgreSQL.
 */
const USERS = 1_500;
const EVENTS = 30_000;
const DAYS = 3;
const TABLES = ["dim_users", "dim_event_types", "fact_user_events", "user_daily_metrics"];
const KILL_AT = ["load_dim_users", "load_facts", "refresh_aggregates", "load_facts"];
const id = randomBytes(4).toString("hex");

let dir: string;
let data: WarehouseData;
/** The example's tasks with retries 1 s apart: a killed attempt is retried by the re-run, not 5 minutes later. */
let pipelineFile: string;
const started: ChildProcess[] = [];
const databases: string[] = [];

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `weir run examples/warehouse/pipeline.ts --date <day>`, killed with SIGKILL `delayMs` after `killAt` starts. */
function runDay(
  home: string,
  warehouseUrl: string | undefined,
  day: number,
  kill?: { task: string; delayMs: number },
): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "run",
      pipelineFile,
      "--date",
      dateOfDay(day),
      "--param",
      `users=${data.usersDir}`,
      "--param",
      `events=${data.eventsDir}`,
      "--events",
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        WEIR_HOME: home,
        FORCE_COLOR: "0",
        ...(warehouseUrl ? { WEIR_WAREHOUSE_URL: warehouseUrl } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  started.push(child);
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += String(d);
  });
  // A run that hangs fails the test with what it printed, instead of the test's timeout.
  const watchdog = setTimeout(() => {
    stderr += `\n[test] still running after 120 s; last events:\n${lines.slice(-8).join("\n")}`;
    child.kill("SIGKILL");
  }, 120_000);
  child.once("exit", () => clearTimeout(watchdog));
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    if (!kill || !line.startsWith("{")) return;
    const event = JSON.parse(line) as { type: string; taskId?: string };
    if (event.type === "task.started" && event.taskId === kill.task) {
      setTimeout(() => child.kill("SIGKILL"), kill.delayMs);
    }
  });
  return new Promise((done) => child.on("exit", (code, signal) => done({ code, signal, stderr })));
}

async function openWarehouse(home: string, warehouseUrl: string | undefined): Promise<Engine> {
  return warehouseUrl
    ? openEngine(warehouseUrl)
    : DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
}

async function hashes(home: string, warehouseUrl: string | undefined): Promise<Record<string, string>> {
  const engine = await openWarehouse(home, warehouseUrl);
  try {
    const out: Record<string, string> = {};
    for (const table of TABLES) {
      const h = await tableContentHash(engine, { name: table });
      out[table] = `${h.rows}:${h.hash}`;
    }
    return out;
  } finally {
    await engine.close();
  }
}

async function createDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  databases.push(name);
  return databaseUrl(name);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-wh-crash-"));
  data = generateWarehouseData(join(dir, "data"), { users: USERS, events: EVENTS, days: DAYS });
  pipelineFile = join(ROOT, "examples/warehouse", `.crash-test-${id}.ts`);
  writeFileSync(
    pipelineFile,
    `import { warehousePipeline } from "./warehouse-pipeline.js";\nexport default warehousePipeline({ retries: 2, retryDelay: "1s" });\n`,
  );
});

afterAll(async () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  rmSync(pipelineFile, { force: true });
  if (databases.length === 0) return;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

for (const kind of ["duckdb", "postgres"] as const) {
  describe.skipIf(kind === "postgres" && !postgresAvailable)(`warehouse load crash safety on ${kind}`, () => {
    it("kill -9 during a day's load leaves whole tables; the re-run gives the clean result", async () => {
      const homes = { clean: join(dir, kind, "clean"), crashed: join(dir, kind, "crashed") };
      for (const h of Object.values(homes)) mkdirSync(h, { recursive: true });
      const urls =
        kind === "postgres"
          ? {
              clean: await createDatabase(`weir_t_whc_${id}_c`),
              crashed: await createDatabase(`weir_t_whc_${id}_k`),
            }
          : { clean: undefined, crashed: undefined };

      // The clean reference: every day, and the state after the day before the crashed one.
      let before: Record<string, string> | undefined;
      for (let day = 0; day < DAYS; day++) {
        if (day === DAYS - 1) before = await hashes(homes.clean, urls.clean);
        const run = await runDay(homes.clean, urls.clean, day);
        expect(run.code, run.stderr).toBe(0);
      }
      const clean = await hashes(homes.clean, urls.clean);

      for (let day = 0; day < DAYS - 1; day++) {
        const run = await runDay(homes.crashed, urls.crashed, day);
        expect(run.code, run.stderr).toBe(0);
      }
      expect(await hashes(homes.crashed, urls.crashed)).toEqual(before);

      // Kills during the last day's dimension load, fact load and aggregate refresh.
      let killed = 0;
      for (const [i, task] of KILL_AT.entries()) {
        const run = await runDay(homes.crashed, urls.crashed, DAYS - 1, { task, delayMs: 20 + i * 60 });
        expect(run.stderr, `run killed during ${task}`).not.toContain("[test] still running");
        if (run.signal === "SIGKILL") killed++;
        const now = await hashes(homes.crashed, urls.crashed);
        const state = TABLES.map(
          (t) => `${t}=${now[t] === before![t] ? "before" : now[t] === clean[t] ? "after" : "PARTIAL"}`,
        );
        console.log(`${kind}: kill ${run.signal ?? `exit ${run.code}`} during ${task}: ${state.join(" ")}`);
        for (const table of TABLES) {
          expect([before![table], clean[table]], `${table} after a kill during ${task}`).toContain(
            now[table],
          );
        }
      }
      expect(killed).toBeGreaterThan(0);

      const rerun = await runDay(homes.crashed, urls.crashed, DAYS - 1);
      expect(rerun.signal, rerun.stderr).toBeNull();
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(await hashes(homes.crashed, urls.crashed)).toEqual(clean);
    }, 400_000);
  });
}
