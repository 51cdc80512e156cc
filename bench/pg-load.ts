/**
 * PostgreSQL bulk-load benchmark: weir's COPY path against `psql \copy`, measured in the
 * same run on the same table definition.
 *
 *   (a) psql:        `\copy t FROM customers_1m.csv CSV HEADER` into a fresh table
 *   (b) weir:        `copyTable(duckdb, { sql: "SELECT * FROM read_csv(…)" }, postgres, …)` —
 *                    DuckDB reads the CSV and its rows stream into PostgreSQL's COPY
 *                    (the CSV pushdown: DuckDB writes CSV into a pipe that COPY reads)
 *   (b2) weir, materialised: `CREATE TABLE … AS read_csv(…)` in DuckDB, then `copyTable`
 *   (b3) the `copyTable` part of (b2) alone
 *   (c) weir loader: `PostgresEngine.load` of columnar batches already in memory (COPY text)
 *   (d) weir batches: DuckDB `stream` → `PostgresEngine.load` (the generic columnar path)
 *
 * Run: `node --import tsx bench/pg-load.ts`. The ratio is (b) / (a) throughput, end to end:
 * both start from the CSV file and end with the rows committed in PostgreSQL.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RecordBatch } from "../src/core/batch.js";
import { newId } from "../src/core/ids.js";
import type { TableRef } from "../src/core/types.js";
import { DuckDBEngine } from "../src/engines/duckdb/duckdb-engine.js";
import { PostgresEngine } from "../src/engines/postgres/postgres-engine.js";
import { copyTable } from "../src/engines/transfer.js";
import { POSTGRES_URL } from "../test/support/servers.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROWS = Number(process.env.WEIR_BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.WEIR_BENCH_ROUNDS ?? 3);
// DuckDB leaves one core to the PostgreSQL backend doing the COPY: on a 2-core machine two
// DuckDB threads compete with it and the transfer gets slower, not faster.
const DUCKDB_THREADS = Number(
  process.env.WEIR_BENCH_DUCKDB_THREADS ?? Math.max(1, availableParallelism() - 1),
);
const dataDir = path.join(process.env.TMPDIR ?? "/tmp", "weir-bench");
const csv = path.join(dataDir, ROWS === 1_000_000 ? "customers_1m.csv" : `customers_${ROWS}.csv`);

function ensureCsv(): void {
  if (existsSync(csv)) return;
  mkdirSync(dataDir, { recursive: true });
  const datagen = path.resolve(repoRoot, "../shared/datagen/datagen.mjs");
  execFileSync(process.execPath, [datagen, "customers", String(ROWS), csv], {
    stdio: ["ignore", "ignore", "ignore"],
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

type Variant = "psql" | "weir" | "materialised" | "copyOnly" | "loader" | "batches";

export async function run(): Promise<{ name: string; ratio: number; details: Record<string, unknown> }> {
  ensureCsv();
  const pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
  const schema = `weir_bench_${newId()}`;
  const q = (name: string) => pg.dialect.quoteTable({ schema, name });
  const best: Record<Variant, number> = {
    psql: Number.POSITIVE_INFINITY,
    weir: Number.POSITIVE_INFINITY,
    materialised: Number.POSITIVE_INFINITY,
    copyOnly: Number.POSITIVE_INFINITY,
    loader: Number.POSITIVE_INFINITY,
    batches: Number.POSITIVE_INFINITY,
  };
  const record = (v: Variant, seconds: number) => {
    best[v] = Math.min(best[v], seconds);
  };
  const readCsv = "SELECT * FROM read_csv($1, header = true)".replace("$1", pg.dialect.quoteLiteral(csv));
  try {
    await pg.run(pg.dialect.createSchema(schema));
    // The table definition every path loads into: what DuckDB infers from the CSV.
    const probe = await DuckDBEngine.create({ memoryLimit: "1GB" });
    await probe.run(`CREATE TABLE shape AS ${readCsv} LIMIT 0`);
    const tableSchema = await probe.describe({ name: "shape" });
    await probe.close();
    if (!tableSchema) throw new Error("could not infer the CSV's schema");
    const fresh = async (name: string): Promise<TableRef> => {
      const t: TableRef = { schema, name };
      await pg.run(pg.dialect.dropTable(t));
      await pg.createTable(t, tableSchema);
      return t;
    };
    const expectRows = async (t: TableRef) => {
      const [r] = await pg.query<{ n: number }>(`SELECT count(*) AS n FROM ${q(t.name)}`);
      if (r?.n !== ROWS) throw new Error(`${t.name} has ${r?.n} rows, expected ${ROWS}`);
      await pg.run(pg.dialect.dropTable(t));
    };

    for (let round = 0; round < ROUNDS; round++) {
      // (a) psql \copy into a fresh table.
      const psqlTable = await fresh(`psql_${round}`);
      const a = await timed(async () =>
        execFileSync(
          "psql",
          [
            POSTGRES_URL,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            `\\copy ${q(psqlTable.name)} FROM '${csv}' CSV HEADER`,
          ],
          {
            stdio: ["ignore", "ignore", "inherit"],
          },
        ),
      );
      record("psql", a.seconds);
      await expectRows(psqlTable);

      const duck = await DuckDBEngine.create({ memoryLimit: "2GB", threads: DUCKDB_THREADS });
      try {
        // (b) weir: DuckDB reads the CSV, copyTable streams it into PostgreSQL.
        const weirTable = await fresh(`weir_${round}`);
        const b = await timed(() => copyTable(duck, { sql: readCsv }, pg, weirTable));
        record("weir", b.seconds);
        await expectRows(weirTable);

        // (b2, b3) materialise in DuckDB first, then copyTable.
        const matTable = await fresh(`mat_${round}`);
        const b2 = await timed(async () => {
          await duck.run(`CREATE OR REPLACE TABLE customers AS ${readCsv}`);
          const c = await timed(() => copyTable(duck, { name: "customers" }, pg, matTable));
          record("copyOnly", c.seconds);
        });
        record("materialised", b2.seconds);
        await expectRows(matTable);

        // (d) the generic columnar path: DuckDB batches → COPY text encoder.
        const batchTable = await fresh(`batches_${round}`);
        const d = await timed(() =>
          pg.load(batchTable, duck.stream("SELECT * FROM customers", [], { batchSize: 8192 })),
        );
        record("batches", d.seconds);
        await expectRows(batchTable);

        // (c) the loader alone, from batches already in memory.
        const batches: RecordBatch[] = [];
        for await (const batch of duck.stream("SELECT * FROM customers", [], { batchSize: 8192 }))
          batches.push(batch);
        const loaderTable = await fresh(`loader_${round}`);
        const c = await timed(() => pg.load(loaderTable, batches));
        record("loader", c.seconds);
        await expectRows(loaderTable);
      } finally {
        await duck.close();
      }
    }
  } finally {
    await pg.run(`DROP SCHEMA IF EXISTS ${pg.dialect.quoteIdent(schema)} CASCADE`).catch(() => undefined);
    await pg.close();
  }
  const details: Record<string, unknown> = { rows: ROWS, rounds: ROUNDS, duckdbThreads: DUCKDB_THREADS };
  for (const [k, seconds] of Object.entries(best)) {
    details[`${k}Seconds`] = Number(seconds.toFixed(3));
    details[`${k}RowsPerSecond`] = Math.round(ROWS / seconds);
  }
  return { name: "pg-load", ratio: best.psql / best.weir, details };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await run();
  const d = result.details;
  const line = (label: string, key: Variant) =>
    console.log(
      `${label.padEnd(44)} ${String(d[`${key}RowsPerSecond`]).padStart(8)} rows/s (${d[`${key}Seconds`]} s)`,
    );
  line("(a) psql \\copy CSV", "psql");
  line("(b) weir copyTable DuckDB read_csv → PG", "weir");
  line("(b2) weir CREATE TABLE in DuckDB + copyTable", "materialised");
  line("(b3) weir copyTable of a DuckDB table", "copyOnly");
  line("(c) weir COPY loader, batches in memory", "loader");
  line("(d) weir DuckDB stream → COPY loader", "batches");
  console.log(`RATIO pg-load: weir/psql throughput = ${result.ratio.toFixed(2)} (target >= 0.70)`);
}
