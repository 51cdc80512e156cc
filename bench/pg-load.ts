/**
 * PostgreSQL bulk-load benchmark: weir's COPY path against `psql \copy`, measured in the
 * same run on the same table definition.
 *
 *   (a) psql:        `\copy t FROM customers_1m.csv CSV HEADER` into a fresh table
 *   (b) weir:        CSV → DuckDB (`read_csv`) → `copyTable` DuckDB → PostgreSQL (COPY loader)
 *   (b') weir copy:  the `copyTable` part of (b) alone
 *   (c) weir loader: `PostgresEngine.load` of batches already in memory
 *
 * Run: `node --import tsx bench/pg-load.ts`. The ratio is (b) / (a) throughput, end to end.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
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
const ROUNDS = Number(process.env.WEIR_BENCH_ROUNDS ?? 2);
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

export async function run(): Promise<{ name: string; ratio: number; details: Record<string, unknown> }> {
  ensureCsv();
  const pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
  const schema = `weir_bench_${newId()}`;
  const q = (name: string) => pg.dialect.quoteTable({ schema, name });
  const best = {
    psql: Number.POSITIVE_INFINITY,
    weir: Number.POSITIVE_INFINITY,
    copy: Number.POSITIVE_INFINITY,
    loader: Number.POSITIVE_INFINITY,
  };
  try {
    await pg.run(pg.dialect.createSchema(schema));
    // The table definition both paths load into: what DuckDB infers from the CSV.
    const probe = await DuckDBEngine.create({ memoryLimit: "1GB" });
    await probe.run("CREATE TABLE shape AS SELECT * FROM read_csv($1, header = true) LIMIT 0", [csv]);
    const tableSchema = await probe.describe({ name: "shape" });
    await probe.close();
    if (!tableSchema) throw new Error("could not infer the CSV's schema");

    for (let round = 0; round < ROUNDS; round++) {
      // (a) psql \copy into a fresh table.
      const psqlTable: TableRef = { schema, name: `psql_${round}` };
      await pg.createTable(psqlTable, tableSchema);
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
      best.psql = Math.min(best.psql, a.seconds);

      // (b) weir: CSV → DuckDB → PostgreSQL.
      const duck = await DuckDBEngine.create({ memoryLimit: "2GB" });
      try {
        const weirTable: TableRef = { schema, name: `weir_${round}` };
        let copySeconds = 0;
        const b = await timed(async () => {
          await duck.run("CREATE TABLE customers AS SELECT * FROM read_csv($1, header = true)", [csv]);
          const c = await timed(() => copyTable(duck, { name: "customers" }, pg, weirTable));
          copySeconds = c.seconds;
          return c.value.rows;
        });
        if (b.value !== ROWS) throw new Error(`weir copied ${b.value} rows, expected ${ROWS}`);
        best.weir = Math.min(best.weir, b.seconds);
        best.copy = Math.min(best.copy, copySeconds);

        // (c) the loader alone, from batches already in memory.
        const batches: RecordBatch[] = [];
        for await (const batch of duck.stream("SELECT * FROM customers", [], { batchSize: 8192 }))
          batches.push(batch);
        const loaderTable: TableRef = { schema, name: `loader_${round}` };
        await pg.createTable(loaderTable, tableSchema);
        const c = await timed(() => pg.load(loaderTable, batches));
        if (c.value !== ROWS) throw new Error(`loader wrote ${c.value} rows, expected ${ROWS}`);
        best.loader = Math.min(best.loader, c.seconds);
      } finally {
        await duck.close();
      }
      const counted = await pg.query<{ a: number; b: number }>(
        `SELECT (SELECT count(*) FROM ${q(`psql_${round}`)}) AS a, (SELECT count(*) FROM ${q(`weir_${round}`)}) AS b`,
      );
      if (counted[0]?.a !== ROWS || counted[0]?.b !== ROWS)
        throw new Error(`row counts differ: ${JSON.stringify(counted)}`);
      await pg.run(`DROP TABLE ${q(`psql_${round}`)}, ${q(`weir_${round}`)}, ${q(`loader_${round}`)}`);
    }
  } finally {
    await pg.run(`DROP SCHEMA IF EXISTS ${pg.dialect.quoteIdent(schema)} CASCADE`).catch(() => undefined);
    await pg.close();
  }
  const rate = (s: number) => Math.round(ROWS / s);
  const ratio = best.psql / best.weir;
  return {
    name: "pg-load",
    ratio,
    details: {
      rows: ROWS,
      rounds: ROUNDS,
      psqlSeconds: best.psql,
      weirSeconds: best.weir,
      weirCopySeconds: best.copy,
      loaderSeconds: best.loader,
      psqlRowsPerSecond: rate(best.psql),
      weirRowsPerSecond: rate(best.weir),
      weirCopyRowsPerSecond: rate(best.copy),
      loaderRowsPerSecond: rate(best.loader),
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await run();
  const d = result.details;
  console.log(`psql \\copy            ${d.psqlRowsPerSecond} rows/s (${Number(d.psqlSeconds).toFixed(2)} s)`);
  console.log(`weir CSV→DuckDB→PG    ${d.weirRowsPerSecond} rows/s (${Number(d.weirSeconds).toFixed(2)} s)`);
  console.log(
    `weir copyTable only   ${d.weirCopyRowsPerSecond} rows/s (${Number(d.weirCopySeconds).toFixed(2)} s)`,
  );
  console.log(
    `weir loader only      ${d.loaderRowsPerSecond} rows/s (${Number(d.loaderSeconds).toFixed(2)} s)`,
  );
  console.log(`RATIO pg-load: weir/psql throughput = ${result.ratio.toFixed(2)} (target >= 0.70)`);
}
