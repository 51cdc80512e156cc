import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeedReport, seedCustomers } from "../../examples/customers/seed.js";
import { Secret } from "../../src/config/secret.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { piiDigest } from "../../src/governance/policies/pii-digest.js";
import { Lake } from "../../src/lake/lake.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import { loadPipeline } from "../../src/orchestrator/load-pipeline.js";
import { openRuntime } from "../../src/orchestrator/open-runtime.js";
import type { RunEvent } from "../../src/orchestrator/run-events.js";
import { type RunResult, runPipeline } from "../../src/orchestrator/run-pipeline.js";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/customers");
const DAY = "2024-01-15";

let dir: string;
let source: string;
let seed: SeedReport;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-customers-"));
  source = join(dir, "crm.sqlite");
  seed = seedCustomers({ path: source });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function home(name: string): string {
  return join(dir, name);
}

async function run(weirHome: string, date = DAY): Promise<RunResult> {
  const { pipeline } = await loadPipeline(EXAMPLE);
  const runtime = await openRuntime({ home: weirHome });
  try {
    return await runPipeline(pipeline, { logicalDate: date, params: { source }, ...runtime });
  } finally {
    await runtime.close();
  }
}

interface Dumps {
  dim: Record<string, unknown>[];
  quarantine: Record<string, unknown>[];
  lake: Record<string, unknown>[];
  hashes: { dim: string; quarantine: string; lake: string };
}

const hash = (rows: unknown[]) =>
  createHash("sha256")
    .update(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v)))
    .digest("hex");

/** Ordered full dumps of every output (run ids and timestamps of quarantining left out). */
async function dump(weirHome: string): Promise<Dumps> {
  const engine = await DuckDBEngine.create({ path: join(weirHome, "warehouse.duckdb") });
  try {
    const dim = await engine.query("SELECT * FROM dim_customers ORDER BY ALL");
    const quarantine = await engine.query(
      `SELECT CAST(logical_date AS VARCHAR) AS logical_date, dataset, stage, "check", reason, location, line, CAST(record AS VARCHAR) AS record
       FROM quarantine.customers ORDER BY ALL`,
    );
    const lake = await Lake.open({ root: join(weirHome, "lake"), engine });
    const from = await lake.dataset("lake.raw.customers").scanSql();
    const lakeRows = from ? await engine.query(`SELECT * FROM ${from} ORDER BY ALL`) : [];
    return {
      dim,
      quarantine,
      lake: lakeRows,
      hashes: { dim: hash(dim), quarantine: hash(quarantine), lake: hash(lakeRows) },
    };
  } finally {
    await engine.close();
  }
}

describe("customers pipeline", () => {
  let first: RunResult;
  let clean: Dumps;

  beforeAll(async () => {
    first = await run(home("clean"));
    clean = await dump(home("clean"));
  });

  it("reconciles: extracted = loaded + quarantined, per planted defect", () => {
    const planted = seed.byDay[DAY]!;
    const { summary } = first;
    expect(first.error).toBeUndefined();
    expect(summary.state).toBe("succeeded");
    expect(summary.rows.extracted).toBe(planted.rows);
    const byCheck = summary.rows.quarantinedByCheck;
    expect({
      nullIds: byCheck["not_null(customer_id)"],
      invalidEmails: byCheck.valid_email,
      agesOutOfRange: byCheck.age_13_120,
      duplicateIds: byCheck["unique(customer_id)"],
      unparsableDates: (byCheck["parse(registration_date)"] ?? 0) + (byCheck["parse(last_activity)"] ?? 0),
    }).toEqual({
      nullIds: planted.nullIds,
      invalidEmails: planted.invalidEmails,
      agesOutOfRange: planted.agesOutOfRange,
      duplicateIds: planted.duplicateIds,
      unparsableDates: planted.unparsableDates,
    });
    const dirty =
      planted.nullIds +
      planted.invalidEmails +
      planted.agesOutOfRange +
      planted.duplicateIds +
      planted.unparsableDates;
    expect(dirty).toBeGreaterThan(10);
    expect(summary.rows.quarantined).toBe(dirty);
    expect(summary.rows.loaded).toBe(planted.rows - dirty);
    expect(summary.reconciled).toBe(true);
    expect(clean.dim).toHaveLength(planted.rows - dirty);
    expect(clean.quarantine).toHaveLength(dirty);
  });

  it("loads dim_customers with the derived columns, keeping the latest duplicate", () => {
    const crm = new Database(source, { readonly: true });
    const sample = crm
      .prepare(
        `SELECT * FROM customers WHERE updated_at >= '2024-01-15' AND updated_at < '2024-01-16'
         AND customer_id IN (SELECT customer_id FROM customers GROUP BY customer_id HAVING COUNT(*) > 1)
         ORDER BY updated_at DESC LIMIT 1`,
      )
      .get() as { customer_id: number; email: string; registration_date: string; last_activity: string };
    crm.close();
    const row = clean.dim.find((r) => r.customer_id === sample.customer_id)!;
    // customers.policy.yaml: the email lands hashed (keyed HMAC, lower-cased) and masked, never raw.
    expect(row).not.toHaveProperty("email");
    const key = new Secret("WEIR_PII_HASH_KEY", process.env.WEIR_PII_HASH_KEY!);
    expect(row.email_hash).toBe(piiDigest(sample.email, key, "lower-trim"));
    expect(row.email_masked).toBe(`${sample.email[0]}***@${sample.email.split("@").at(-1)}`);
    expect(row.email_domain).toBe(sample.email.split("@")[1]);
    const end = Date.UTC(2024, 0, 16);
    expect(Number(row.days_since_registration)).toBe(
      Math.round((end - Date.parse(`${sample.registration_date}T00:00:00Z`)) / 86_400_000),
    );
    const lastActive = Date.parse(`${sample.last_activity.replace(" ", "T")}Z`);
    expect(row.is_active).toBe(lastActive >= end - 30 * 86_400_000);
    const ids = clean.dim.map((r) => r.customer_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(null);
    for (const r of clean.dim) expect(Number(r.age)).toBeGreaterThanOrEqual(13);
  });

  it("lands the day's partition in the raw lake", async () => {
    const engine = await DuckDBEngine.create();
    const lake = await Lake.open({ root: join(home("clean"), "lake"), engine });
    const partitions = await lake.dataset("lake.raw.customers").partitions();
    await engine.close();
    const planted = seed.byDay[DAY]!;
    expect(partitions).toHaveLength(1);
    expect(partitions[0]).toMatchObject({
      values: { year: "2024", month: "01", day: "15" },
      path: "year=2024/month=01/day=15",
      rows: planted.rows - planted.unparsableDates,
    });
  });

  it("gives every quarantined row a check, a reason, a location and its record", () => {
    for (const row of clean.quarantine) {
      expect(row.check).toMatch(/\S/);
      expect(row.reason).toMatch(/\S/);
      expect(row.location).toMatch(/\S/);
      expect(JSON.parse(String(row.record))).toBeTypeOf("object");
    }
    const parse = clean.quarantine.filter((r) => r.stage === "extract");
    expect(parse.length).toBe(seed.byDay[DAY]!.unparsableDates);
    for (const r of parse) {
      expect(r.location).toBe(`${source}#customers`);
      expect(Number(r.line)).toBeGreaterThan(0);
      expect(r.reason).toMatch(/row \d+, column "(registration_date|last_activity)"/);
    }
    const dup = clean.quarantine.find((r) => r.check === "unique(customer_id)")!;
    expect(dup.reason).toMatch(
      /^duplicate customer_id \d+: a later row \(updated_at 2024-01-15 [\d:]+\) was kept$/,
    );
    expect(JSON.parse(String(dup.record)).email).toMatch(/^old\./);
  });

  it("records the run and commits the cursor after the load", async () => {
    const store = await SqliteMetadataStore.open({ path: join(home("clean"), "weir.db") });
    try {
      const runs = await store.listRuns({ pipeline: "customers" });
      expect(runs[0]).toMatchObject({ id: first.summary.runId, state: "succeeded", logicalDate: DAY });
      const crm = new Database(source, { readonly: true });
      const { max } = crm
        .prepare(
          "SELECT MAX(updated_at) AS max FROM customers WHERE updated_at >= '2024-01-15' AND updated_at < '2024-01-16'",
        )
        .get() as { max: string };
      crm.close();
      expect(await store.cursors.get("customers", "crm.customers")).toBe(max);
    } finally {
      await store.close();
    }
  });

  it("re-running the same date yields identical tables", async () => {
    const again = await run(home("clean"));
    expect(again.summary.rows).toEqual(first.summary.rows);
    const second = await dump(home("clean"));
    expect(second.hashes).toEqual(clean.hashes);
  });
});

/** Runs the CLI in a child process, printing events as NDJSON, and kills it at `killWhen`. */
function runCli(
  weirHome: string,
  date: string,
  options: { killWhen?: (e: RunEvent) => boolean; killDelayMs?: number; pauseAt?: string } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; events: RunEvent[]; stderr: string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "run",
      EXAMPLE,
      "--date",
      date,
      "--param",
      `source=${source}`,
      "--events",
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        WEIR_HOME: weirHome,
        ...(options.pauseAt ? { WEIR_FAULT_PAUSE_AT: options.pauseAt } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const events: RunEvent[] = [];
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += String(d);
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const event = JSON.parse(line) as RunEvent;
    events.push(event);
    if (options.killWhen?.(event)) setTimeout(() => child.kill("SIGKILL"), options.killDelayMs ?? 0);
  });
  return new Promise((done) => {
    child.on("exit", (code, signal) => done({ code, signal, events, stderr }));
  });
}

describe("customers pipeline after a crash", () => {
  let reference: Dumps;

  beforeAll(async () => {
    // Reference: two clean days, run by the CLI like the crashed homes below.
    for (const date of ["2024-01-14", DAY]) {
      const r = await runCli(home("reference"), date);
      expect(r.code, r.stderr).toBe(0);
    }
    reference = await dump(home("reference"));
  }, 120_000);

  it("SIGKILL after the load committed but before the cursor: re-run gives identical tables", async () => {
    const h = home("crash-before-cursor");
    expect((await runCli(h, "2024-01-14")).code).toBe(0);
    const cursorOf = async () => {
      const store = await SqliteMetadataStore.open({ path: join(h, "weir.db") });
      try {
        return await store.cursors.get("customers", "crm.customers");
      } finally {
        await store.close();
      }
    };
    const cursorBefore = await cursorOf();
    const crashed = await runCli(h, DAY, {
      pauseAt: "load:loaded",
      killWhen: (e) => e.type === "task.progress" && e.taskId === "load" && e.step === "loaded",
    });
    expect(crashed.signal).toBe("SIGKILL");
    const store = await SqliteMetadataStore.open({ path: join(h, "weir.db") });
    const cursorAfterCrash = await store.cursors.get("customers", "crm.customers");
    const crashedRun = (await store.listRuns({ pipeline: "customers" }))[0];
    await store.close();
    // The cursor is still the 2024-01-14 run's: commit-then-advance.
    expect(cursorBefore).toBeDefined();
    expect(cursorAfterCrash).toBe(cursorBefore);
    expect(crashedRun?.state).toBe("running");

    const rerun = await runCli(h, DAY);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await dump(h)).hashes).toEqual(reference.hashes);
  }, 120_000);

  for (const point of [
    {
      name: "while the raw lake commit runs",
      when: (e: RunEvent) => e.type === "task.started" && e.taskId === "land_raw",
      delay: 5,
    },
    {
      name: "while the dim upsert runs",
      when: (e: RunEvent) => e.type === "task.progress" && e.step === "loading",
      delay: 2,
    },
  ]) {
    it(`SIGKILL ${point.name}: no partial data, re-run gives identical tables`, async () => {
      const h = home(`crash-${point.name.replaceAll(" ", "-")}`);
      expect((await runCli(h, "2024-01-14")).code).toBe(0);
      const crashed = await runCli(h, DAY, { killWhen: point.when, killDelayMs: point.delay });
      expect(crashed.signal).toBe("SIGKILL");
      expect(crashed.events.some((e) => e.type === "run.finished")).toBe(false);
      const rerun = await runCli(h, DAY);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect((await dump(h)).hashes).toEqual(reference.hashes);
    }, 120_000);
  }
});
