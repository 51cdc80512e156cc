import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCustomers } from "../../examples/customers/seed.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { RunSummary } from "../../src/orchestrator/run-events.js";
import { ROOT, spawnWeir, withStore } from "../support/weir-process.js";

/**
 * Issue 10's "done means": `weir backfill customers --concurrency 4` on a fresh home
 * succeeds for every date. Every run of the first four creates the `staging` and
 * `quarantine` schemas and tables at the same moment on a new DuckDB warehouse; each
 * run stages into its own schema. A real `weir` process, a new temp home, the example
 * pipeline and the demo CRM.
 */
const FROM = "2024-01-10";
const TO = "2024-01-16"; // seven daily runs at 02:00 UTC
const DATES = Array.from({ length: 7 }, (_, i) => `2024-01-${String(10 + i).padStart(2, "0")}`);
const children: ChildProcess[] = [];
let dir: string;
let home: string;
let crm: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-fresh-bf-"));
  home = join(dir, "home");
  crm = join(dir, "crm.sqlite");
  seedCustomers({ path: crm });
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("weir backfill on a fresh home", () => {
  it("runs the customer pipeline for every date, four at once, and each date reconciles", async () => {
    const weir = spawnWeir(
      [
        "--home",
        home,
        "backfill",
        join(ROOT, "examples/customers"),
        "--from",
        FROM,
        "--to",
        TO,
        "--concurrency",
        "4",
        "--param",
        `source=${crm}`,
      ],
      { WEIR_HOME: home },
      children,
    );
    const code = await weir.exited;
    const out = weir.stdout();
    expect(code, `${out}\n${weir.stderr()}`).toBe(0);
    expect(out).not.toContain("write-write conflict");
    expect(out).not.toContain("↻");

    // The plan first, then a line as each run starts and ends, then the runs in date order.
    const lines = out.split("\n");
    const plan = lines.findIndex((l) => l.startsWith("plan: 7 run(s), 4 at once"));
    const firstStart = lines.findIndex((l) => l.includes("▸"));
    expect(plan).toBeGreaterThanOrEqual(0);
    expect(firstStart).toBeGreaterThan(plan);
    for (const date of DATES) {
      expect(lines.filter((l) => l.includes("▸") && l.includes(date))).toHaveLength(1);
      expect(lines.filter((l) => l.includes("✓") && l.includes(date))).toHaveLength(1);
    }
    const table = lines.filter((l) => /^2024-01-\d\dT02:00:00\.000Z\s+run_/.test(l));
    expect(table.map((l) => l.slice(0, 10))).toEqual(DATES);
    expect(table.every((l) => /\ssucceeded\s/.test(l))).toBe(true);
    expect(out).toContain("7 run(s)");
    expect(out).toContain("7 succeeded, 0 failed, 0 interrupted");

    // Every date succeeded and reconciles: extracted = loaded + quarantined.
    const summaries = await withStore(join(home, "weir.db"), async (store) => {
      const runs = await store.runs.list({ pipeline: "customers" });
      return runs.map((r) => ({ state: r.state, summary: r.summary as RunSummary }));
    });
    expect(summaries).toHaveLength(7);
    for (const { state, summary } of summaries) {
      expect(state).toBe("succeeded");
      expect(summary.reconciled).toBe(true);
      const [customers] = summary.datasets;
      expect(customers!.extracted).toBe(customers!.loaded! + customers!.quarantined);
    }
    // Every CRM row of the seven intervals was read once.
    const source = new Database(crm, { readonly: true });
    const { n } = source
      .prepare("SELECT count(*) AS n FROM customers WHERE updated_at >= ? AND updated_at < ?")
      .get("2024-01-10 02:00:00", "2024-01-17 02:00:00") as { n: number };
    source.close();
    expect(summaries.reduce((sum, s) => sum + s.summary.datasets[0]!.extracted!, 0)).toBe(n);

    // Staging went with the runs; quarantine kept every date's rows.
    const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
    try {
      const left = await engine.query(
        "SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'staging%'",
      );
      expect(left).toEqual([]);
      const quarantined = await engine.query<{ d: string }>(
        "SELECT DISTINCT CAST(logical_date AS VARCHAR) AS d FROM quarantine.customers ORDER BY 1",
      );
      expect(quarantined.map((r) => r.d)).toEqual(DATES);
    } finally {
      await engine.close();
    }
  }, 300_000);
});
