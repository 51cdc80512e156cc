import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";
import type { MetadataStore, RunRecord } from "../../src/metadata/metadata-store.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { dropSchemas, ROOT, spawnWeir, waitFor } from "../support/weir-process.js";

/**
 * The "done means" (issue 9): a 365-day backfill at `--concurrency 8` of a small
 * pipeline that writes one lake partition per day (overwrite-partition) and upserts one
 * warehouse row per day, SIGKILLed 5 times at random moments and run again until it
 * completes, ends with every day present exactly once: 365 runs, 365 lake partitions with
 * the right rows, each day once in the table.
 */
const PG_SCHEMA = `weir_year_${process.pid}_${Date.now().toString(36)}`;
const children: ChildProcess[] = [];
let dir: string;

const DAYS = 365; // 2024-01-01 .. 2024-12-30
const dayOf = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
/** Rows the pipeline writes for a day: 1 to 7, so a partition holding the wrong day shows. */
const rowsOf = (day: string) => 1 + (new Date(`${day}T00:00:00Z`).getUTCDate() % 7);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-year-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `import { defineConfig } from ${JSON.stringify(join(ROOT, "src/config/project-config.ts"))};
     export default defineConfig({ pipelines: ["pipelines"] });`,
  );
  mkdirSync(join(dir, "pipelines"), { recursive: true });
  writeFileSync(
    join(dir, "pipelines", "ledger.pipeline.ts"),
    `import { definePipeline, defineTask } from ${JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"))};
     import { writeTable } from ${JSON.stringify(join(ROOT, "src/engines/table-writer.ts"))};
     const rows = (day: string) => 1 + (new Date(day + "T00:00:00Z").getUTCDate() % 7);
     const day = (ctx: { logicalDate: Date }) => ctx.logicalDate.toISOString().slice(0, 10);
     const land = defineTask({
       id: "land", retries: 3, retryDelay: "200ms", datasets: { writes: ["lake.raw.ledger"] },
       run: async (ctx) => {
         const d = day(ctx);
         const commit = await ctx.lake.dataset("lake.raw.ledger").write(
           { engine: ctx.engine, sql: "SELECT '" + d + "' AS day, i AS seq, '" + d + "#' || i AS label FROM range(" + rows(d) + ") AS t(i)" },
           { mode: "overwrite-partition", partitionBy: ["day"], lockWaitMs: 120000 },
         );
         return commit.rowsWritten;
       },
     });
     const total = defineTask({
       id: "total", retries: 3, retryDelay: "200ms",
       run: async (ctx) => {
         const d = day(ctx);
         await writeTable(ctx.engine, { name: "ledger_days" },
           { engine: ctx.engine, sql: "SELECT CAST('" + d + "' AS DATE) AS day, " + rows(d) + " AS row_count" },
           { mode: "upsert", key: ["day"] });
       },
     });
     export default definePipeline({ id: "ledger", schedule: "@daily", startDate: "2024-01-01", catchup: false, tasks: [land, total] });`,
  );
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  if (postgresAvailable) await dropSchemas(PG_SCHEMA);
});

const BACKENDS = [
  { name: "SQLite", tag: "sqlite", url: () => join(dir, "home-sqlite", "weir.db") },
  ...(postgresAvailable
    ? [{ name: "PostgreSQL", tag: "pg", url: () => `${POSTGRES_URL}?schema=${PG_SCHEMA}` }]
    : []),
];

describe.each(BACKENDS)("a year's backfill killed 5 times ($name metadata store)", (backend) => {
  it("ends with every day exactly once in the runs, the lake and the warehouse", async () => {
    const home = join(dir, `home-${backend.tag}`);
    const backfill = () =>
      spawnWeir(
        ["backfill", "ledger", "--from", dayOf(0), "--to", dayOf(DAYS - 1), "--concurrency", "8", "--json"],
        {
          WEIR_CONFIG: join(dir, "weir.config.ts"),
          WEIR_HOME: home,
          WEIR_METADATA_URL: backend.url(),
          WEIR_HEARTBEAT_TIMEOUT_MS: "1500",
          WEIR_DUCKDB_THREADS: "2",
          WEIR_DUCKDB_MEMORY_LIMIT: "512MB",
        },
        children,
      );
    // The test reads the store as the backfills go (opening it first creates and migrates it).
    const store: MetadataStore = await openMetadataStore(backend.url());
    const runs = () => store.runs.list({ pipeline: "ledger", limit: 100_000 });
    const succeeded = async () => (await runs()).filter((r) => r.state === "succeeded").length;
    try {
      let victim = backfill();
      for (let kill = 0; kill < 5; kill++) {
        const target = Math.min(DAYS - 10, (await succeeded()) + 5 + Math.floor(Math.random() * 50));
        await waitFor(
          `${target} runs to succeed`,
          async () => victim.child.exitCode !== null || (await succeeded()) >= target,
          120_000,
        );
        await new Promise((r) => setTimeout(r, Math.random() * 200));
        expect(victim.child.exitCode, `the backfill ended before kill ${kill + 1}`).toBeNull();
        victim.child.kill("SIGKILL");
        await victim.exited;
        victim = backfill();
      }
      let complete = false;
      for (let rerun = 0; rerun < 6 && !complete; rerun++) {
        if (rerun > 0) victim = backfill();
        // 1 (TASK_FAILED) when a run killed mid-task used its last try: the next backfill reruns it.
        expect([0, 1], victim.stderr()).toContain(await victim.exited);
        complete = (await succeeded()) === DAYS;
      }
      const all = await runs();
      const byDate = new Map<string, RunRecord>();
      for (const run of all) {
        expect(byDate.has(run.logicalDate), `two runs for ${run.logicalDate}`).toBe(false);
        byDate.set(run.logicalDate, run);
      }
      expect(byDate.size).toBe(DAYS);
      expect(all.filter((r) => r.state !== "succeeded").map((r) => `${r.logicalDate} ${r.state}`)).toEqual(
        [],
      );
    } finally {
      await store.close();
    }

    const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
    try {
      const table = await engine.query<{ day: string; row_count: number; n: number }>(
        "SELECT CAST(day AS VARCHAR) AS day, max(row_count) AS row_count, CAST(count(*) AS INTEGER) AS n FROM ledger_days GROUP BY day ORDER BY day",
      );
      expect(table).toHaveLength(DAYS);
      for (const row of table)
        expect([row.day, Number(row.row_count), row.n]).toEqual([row.day, rowsOf(row.day), 1]);

      const lake = await Lake.open({ root: join(home, "lake"), engine });
      const dataset = lake.dataset("lake.raw.ledger");
      const partitions = await dataset.partitions();
      const lost = Array.from({ length: DAYS }, (_, i) => dayOf(i)).filter(
        (d) => !partitions.some((p) => p.values.day === d),
      );
      expect(lost, "lake partitions missing").toEqual([]);
      expect(partitions).toHaveLength(DAYS);
      const scan = await dataset.scanSql();
      const counted = await engine.query<{ day: string; n: number; seqs: number }>(
        `SELECT day, CAST(count(*) AS INTEGER) AS n, CAST(count(DISTINCT seq) AS INTEGER) AS seqs FROM ${scan} GROUP BY day ORDER BY day`,
      );
      expect(counted).toHaveLength(DAYS);
      for (const row of counted)
        expect([row.day, row.n, row.seqs]).toEqual([row.day, rowsOf(row.day), rowsOf(row.day)]);
    } finally {
      await engine.close();
    }
  }, 300_000);
});
