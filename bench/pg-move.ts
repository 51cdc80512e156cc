/**
 * DuckDB → PostgreSQL move benchmark: weir's `copyTable` of 1M fact rows against
 * `psql \copy` of the same rows, measured in the same run into the same table definition.
 *
 * The rows are shaped like the reference warehouse's `fact_user_events` (event_id bigint,
 * user_key bigint, date_key int, time_key int, event_type_key bigint, session_id uuid,
 * page_url text, referrer_url text (30% NULL), event_properties json, created_at
 * timestamptz, user_id uuid), generated in DuckDB.
 *
 *   (a) psql:  DuckDB writes the rows to a CSV file first (not timed); then only
 *              `psql -c "\copy t FROM file CSV"` into a fresh table is timed
 *   (b) weir:  `copyTable(duckdb, fact_user_events, postgres, t)` into a fresh table (the
 *              same DDL as (a)), end to end: DuckDB writes CSV into a pipe that COPY reads
 *   (c) weir, target created by the move: `copyTable` into a table that does not exist
 *              (its columns from weir's logical types), for information
 *
 * The contents of (a) and (b) are compared (an md5 over every row, in PostgreSQL's text),
 * so a fast but wrong move fails the bench.
 *
 * Run: `node --import tsx bench/pg-move.ts` (WEIR_BENCH_ROWS, WEIR_BENCH_ROUNDS). The ratio
 * is (a)'s time / (b)'s time: weir's throughput as a fraction of psql's, best of the rounds.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newId } from "../src/core/ids.js";
import type { TableRef } from "../src/core/types.js";
import { DuckDBEngine } from "../src/engines/duckdb/duckdb-engine.js";
import { PostgresEngine } from "../src/engines/postgres/postgres-engine.js";
import { copyTable } from "../src/engines/transfer.js";
import { POSTGRES_URL } from "../test/support/servers.js";

const ROWS = Number(process.env.WEIR_BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.WEIR_BENCH_ROUNDS ?? 3);
// As in pg-load.ts: DuckDB leaves a core to the PostgreSQL backend running the COPY.
const DUCKDB_THREADS = Number(
  process.env.WEIR_BENCH_DUCKDB_THREADS ?? Math.max(1, availableParallelism() - 1),
);

/** The fact rows, deterministic: the same rows on every run. */
const GENERATE = `CREATE OR REPLACE TABLE fact_user_events AS
SELECT
  CAST(i AS BIGINT) AS event_id,
  CAST(i % 100000 + 1 AS BIGINT) AS user_key,
  CAST(strftime(DATE '2024-06-01' + CAST(i % 30 AS INTEGER), '%Y%m%d') AS INTEGER) AS date_key,
  CAST(i % 86400 AS INTEGER) AS time_key,
  CAST(i % 12 + 1 AS BIGINT) AS event_type_key,
  CAST(regexp_replace(md5('s' || CAST(i // 20 AS VARCHAR)), '^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\\1-\\2-\\3-\\4-\\5') AS UUID) AS session_id,
  'https://shop.example.com/products/' || CAST(i % 5000 AS VARCHAR) || '?utm_source=newsletter' AS page_url,
  CASE WHEN i % 10 < 3 THEN NULL ELSE 'https://www.search.example.org/q?term=item+' || CAST(i % 777 AS VARCHAR) END AS referrer_url,
  CAST(json_object('amount', round((i % 10000) / 100.0, 2), 'sku', 'SKU-' || CAST(i % 999 AS VARCHAR), 'qty', i % 5 + 1) AS JSON) AS event_properties,
  TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_seconds(CAST(i * 2 AS BIGINT)) + to_microseconds(CAST(i % 1000000 AS BIGINT)) AS created_at,
  CAST(regexp_replace(md5('u' || CAST(i % 100000 AS VARCHAR)), '^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\\1-\\2-\\3-\\4-\\5') AS UUID) AS user_id
FROM range(${ROWS}) AS r(i)`;

/** The fact table as the warehouse declares it on PostgreSQL. */
const COLUMNS_DDL = `event_id BIGINT, user_key BIGINT, date_key INTEGER, time_key INTEGER,
  event_type_key BIGINT, session_id UUID, page_url TEXT, referrer_url TEXT,
  event_properties JSON, created_at TIMESTAMPTZ, user_id UUID`;

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

type Variant = "psql" | "weir" | "weirCreates";

export async function run(): Promise<{ name: string; ratio: number; details: Record<string, unknown> }> {
  const pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
  const duck = await DuckDBEngine.create({ memoryLimit: "2GB", threads: DUCKDB_THREADS });
  const dir = mkdtempSync(path.join(tmpdir(), "weir-pg-move-"));
  const csv = path.join(dir, "fact_user_events.csv");
  const schema = `weir_bench_${newId()}`;
  const q = (name: string) => pg.dialect.quoteTable({ schema, name });
  const best: Record<Variant, number> = {
    psql: Number.POSITIVE_INFINITY,
    weir: Number.POSITIVE_INFINITY,
    weirCreates: Number.POSITIVE_INFINITY,
  };
  const record = (v: Variant, seconds: number) => {
    best[v] = Math.min(best[v], seconds);
  };
  try {
    await pg.run(pg.dialect.createSchema(schema));
    await duck.run(GENERATE);
    // psql's input: the same rows as DuckDB writes CSV (not timed).
    await duck.run(`COPY fact_user_events TO ${duck.dialect.quoteLiteral(csv)} (FORMAT csv, HEADER false)`);
    const fresh = async (name: string): Promise<TableRef> => {
      await pg.run(`DROP TABLE IF EXISTS ${q(name)}`);
      await pg.run(`CREATE TABLE ${q(name)} (${COLUMNS_DDL})`);
      return { schema, name };
    };
    const count = async (name: string) => {
      const [r] = await pg.query<{ n: number }>(`SELECT count(*) AS n FROM ${q(name)}`);
      if (Number(r?.n) !== ROWS) throw new Error(`${name} has ${r?.n} rows, expected ${ROWS}`);
    };
    const digest = async (name: string) => {
      const [r] = await pg.query<{ h: string }>(
        `SELECT md5(string_agg(t::text, '|' ORDER BY event_id)) AS h FROM ${q(name)} AS t`,
      );
      return r?.h;
    };

    for (let round = 0; round < ROUNDS; round++) {
      const psqlTable = await fresh(`psql_${round}`);
      const a = await timed(async () =>
        execFileSync(
          "psql",
          [POSTGRES_URL, "-v", "ON_ERROR_STOP=1", "-c", `\\copy ${q(psqlTable.name)} FROM '${csv}' CSV`],
          { stdio: ["ignore", "ignore", "inherit"] },
        ),
      );
      record("psql", a.seconds);
      await count(psqlTable.name);

      const weirTable = await fresh(`weir_${round}`);
      const b = await timed(() => copyTable(duck, { name: "fact_user_events" }, pg, weirTable));
      if (b.value.rows !== ROWS) throw new Error(`copyTable moved ${b.value.rows} rows, expected ${ROWS}`);
      record("weir", b.seconds);
      await count(weirTable.name);
      if (round === 0) {
        const [expected, actual] = [await digest(psqlTable.name), await digest(weirTable.name)];
        if (expected !== actual) throw new Error("the rows weir moved differ from the rows psql loaded");
        // Both came through DuckDB's CSV: also compare the values with DuckDB's own.
        const [inDuck] = await duck.query(
          `SELECT CAST(count(referrer_url) AS BIGINT) AS refs, CAST(sum(epoch_us(created_at)) AS VARCHAR) AS micros,
             CAST(count(DISTINCT session_id) AS BIGINT) AS sessions, CAST(sum(length(CAST(event_properties AS VARCHAR))) AS BIGINT) AS json_chars
           FROM fact_user_events`,
        );
        const [inPg] = await pg.query(
          `SELECT count(referrer_url) AS refs, CAST(sum(CAST(extract(epoch FROM created_at) * 1000000 AS BIGINT)) AS TEXT) AS micros,
             count(DISTINCT session_id) AS sessions, sum(length(CAST(event_properties AS TEXT))) AS json_chars
           FROM ${q(weirTable.name)}`,
        );
        // Numbers as exact digits, whichever JS type each client returns them as.
        const norm = (r: Record<string, unknown> | undefined) =>
          JSON.stringify(r, (_k, v) => (typeof v === "bigint" || typeof v === "number" ? String(v) : v));
        if (norm(inDuck) !== norm(inPg))
          throw new Error(`moved values differ: DuckDB ${norm(inDuck)}, PostgreSQL ${norm(inPg)}`);
      }

      const created: TableRef = { schema, name: `created_${round}` };
      const c = await timed(() => copyTable(duck, { name: "fact_user_events" }, pg, created));
      record("weirCreates", c.seconds);
      await count(created.name);
      for (const name of [psqlTable.name, weirTable.name, created.name])
        await pg.run(`DROP TABLE ${q(name)}`);
    }
  } finally {
    await pg.run(`DROP SCHEMA IF EXISTS ${pg.dialect.quoteIdent(schema)} CASCADE`).catch(() => undefined);
    await pg.close();
    await duck.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const details: Record<string, unknown> = { rows: ROWS, rounds: ROUNDS, duckdbThreads: DUCKDB_THREADS };
  for (const [k, seconds] of Object.entries(best)) {
    details[`${k}Seconds`] = Number(seconds.toFixed(3));
    details[`${k}RowsPerSecond`] = Math.round(ROWS / seconds);
  }
  return { name: "pg-move", ratio: best.psql / best.weir, details };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await run();
  const d = result.details;
  const line = (label: string, key: Variant) =>
    console.log(
      `${label.padEnd(48)} ${String(d[`${key}RowsPerSecond`]).padStart(8)} rows/s (${d[`${key}Seconds`]} s)`,
    );
  line("(a) psql \\copy CSV", "psql");
  line("(b) weir copyTable DuckDB → PG (same DDL)", "weir");
  line("(c) weir copyTable, target created by the move", "weirCreates");
  console.log(`RATIO pg-move: weir/psql throughput = ${result.ratio.toFixed(2)} (target >= 0.70)`);
}
