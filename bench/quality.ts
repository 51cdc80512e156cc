/**
 * Expectation-suite benchmark: a 30-expectation suite over datagen's customers, against one
 * plain scan that reads every column the suite reads, measured in the same run.
 *
 *   DuckDB:     N rows (default 10M) in a DuckDB file table;
 *   PostgreSQL: 1M rows loaded with COPY (skipped with a note when no server answers).
 *
 * The baseline is one scan that reads every value of the suite's columns:
 * `SELECT min(c1) FILTER (WHERE c1 IS NOT NULL), … FROM customers`. (A plain `count(c)` or
 * `min(c)` of a number or date column is answered by DuckDB from column statistics without
 * reading the column; the FILTER makes it read the values.) Times are the best of
 * `--rounds` (default 3) after a warm-up, baseline and suite interleaved.
 *
 *   node --import tsx bench/quality.ts [--rows 10M] [--pg-rows 1M] [--rounds 3] [--no-pg]
 */
import { createReadStream } from "node:fs";
import path from "node:path";
import { newId } from "../src/core/ids.js";
import type { Schema, TableRef } from "../src/core/types.js";
import { DuckDBEngine } from "../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../src/engines/engine.js";
import { compileExpectations, groupScanSql, mainScanSql } from "../src/quality/compile-expectations.js";
import { distributionMethod, runDistributionPass } from "../src/quality/distribution-pass.js";
import type { ExpectationConfig } from "../src/quality/expectations/expectation.js";
import { pick } from "../src/quality/expectations/read-results.js";
import { groupPassSettings } from "../src/quality/group-pass-settings.js";
import { validateDataset } from "../src/quality/validate-dataset.js";
import { argValue, parseRowCounts } from "./bench-args.js";
import { BENCH_DIR, customersCsv } from "./customers-csv.js";

/** Issue 11's targets: DuckDB at 10M rows, PostgreSQL at 1M. */
const TARGET = { duckdb: 4.5, postgres: 6 } as const;
const COUNTRIES = [
  "US",
  "BR",
  "AU",
  "JP",
  "IN",
  "CA",
  "GB",
  "IT",
  "KR",
  "SE",
  "ZA",
  "PL",
  "MX",
  "NL",
  "DE",
  "FR",
  "ES",
  "NG",
];
const COLUMNS = [
  "customer_id",
  "name",
  "email",
  "registration_date",
  "last_activity",
  "updated_at",
  "age",
  "phone",
  "country",
];
const SCHEMA: Schema = {
  fields: [
    { name: "customer_id", type: "bigint" },
    { name: "name", type: "varchar" },
    { name: "email", type: "varchar" },
    { name: "registration_date", type: "date" },
    { name: "last_activity", type: "timestamp" },
    { name: "updated_at", type: "timestamp" },
    { name: "age", type: "bigint" },
    { name: "phone", type: "varchar" },
    { name: "country", type: "varchar" },
  ],
};

const e = (type: string, kwargs: Record<string, unknown>): ExpectationConfig => ({ type, kwargs });

/** What a team would write for the customers table: shape, keys, formats, ranges, distributions, one SQL rule. */
export const CUSTOMER_SUITE: ExpectationConfig[] = [
  e("expect_table_row_count_to_be_between", { min_value: 1 }),
  e("expect_table_columns_to_match_set", { column_set: COLUMNS }),
  e("expect_table_column_count_to_equal", { value: COLUMNS.length }),
  e("expect_column_values_to_be_of_type", { column: "registration_date", type_: "date" }),
  e("expect_column_values_to_not_be_null", { column: "customer_id", mostly: 0.99 }),
  e("expect_column_values_to_not_be_null", { column: "email" }),
  e("expect_column_values_to_not_be_null", { column: "name" }),
  e("expect_column_values_to_not_be_null", { column: "registration_date" }),
  e("expect_column_values_to_not_be_null", { column: "country" }),
  e("expect_column_values_to_be_unique", { column: "customer_id", mostly: 0.99 }),
  e("expect_column_values_to_match_regex", {
    column: "email",
    regex: "^[^@\\s]+@[^@\\s]+\\.[a-z]+$",
    mostly: 0.99,
  }),
  e("expect_column_values_to_not_match_regex", { column: "name", regex: "[0-9]" }),
  e("expect_column_values_to_be_between", { column: "age", min_value: 13, max_value: 120, mostly: 0.99 }),
  e("expect_column_values_to_be_in_set", { column: "country", value_set: COUNTRIES }),
  e("expect_column_value_lengths_to_equal", { column: "phone", value: 15 }),
  e("expect_column_values_to_match_like_pattern", { column: "phone", like_pattern: "+1-555-%" }),
  e("expect_column_pair_values_a_to_be_greater_than_b", {
    column_A: "last_activity",
    column_B: "registration_date",
    or_equal: true,
  }),
  e("expect_column_pair_values_a_to_be_greater_than_b", {
    column_A: "updated_at",
    column_B: "last_activity",
    or_equal: true,
  }),
  e("expect_column_min_to_be_between", { column: "registration_date", min_value: "2024-01-01" }),
  e("expect_column_max_to_be_between", { column: "updated_at", max_value: "2025-01-01 00:00:00" }),
  e("expect_column_min_to_be_between", { column: "age", min_value: -10, max_value: 20 }),
  e("expect_column_max_to_be_between", { column: "age", min_value: 90, max_value: 1000 }),
  e("expect_column_mean_to_be_between", { column: "age", min_value: 18, max_value: 80 }),
  e("expect_column_median_to_be_between", { column: "age", min_value: 18, max_value: 80 }),
  e("expect_column_stdev_to_be_between", { column: "age", min_value: 5, max_value: 40 }),
  e("expect_column_quantile_values_to_be_between", {
    column: "age",
    quantile_ranges: {
      quantiles: [0.1, 0.9],
      value_ranges: [
        [13, 40],
        [40, 120],
      ],
    },
  }),
  e("expect_column_distinct_values_to_be_in_set", { column: "country", value_set: COUNTRIES }),
  e("expect_column_most_common_value_to_be_in_set", { column: "country", value_set: ["US"] }),
  e("expect_column_proportion_of_unique_values_to_be_between", { column: "country", max_value: 0.001 }),
  e("expect_sql_to_return_no_rows", {
    sql: "SELECT customer_id FROM {batch} WHERE updated_at < registration_date",
  }),
];

export interface QualityBenchResult {
  name: string;
  ratio: number;
  line: string;
  details: Record<string, unknown>;
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Best-of-`rounds` times of the two baselines and the suite, interleaved so drift hits all alike. */
async function measure(engine: Engine, table: TableRef, rounds: number) {
  const t = engine.dialect.quoteTable(table);
  const q = (c: string) => engine.dialect.quoteIdent(c);
  const scan = `SELECT ${COLUMNS.map((c) => `min(${q(c)}) FILTER (WHERE ${q(c)} IS NOT NULL)`).join(", ")} FROM ${t}`;
  const best = { scan: Number.POSITIVE_INFINITY, suite: Number.POSITIVE_INFINITY };
  let last: Awaited<ReturnType<typeof validateDataset>> | undefined;
  await engine.query(scan); // warm-up: caches, hint bits, lazy loading
  await validateDataset(engine, table, CUSTOMER_SUITE);
  for (let i = 0; i < rounds; i++) {
    best.scan = Math.min(best.scan, (await time(() => engine.query(scan))).ms);
    const run = await time(() => validateDataset(engine, table, CUSTOMER_SUITE));
    best.suite = Math.min(best.suite, run.ms);
    last = run.value;
  }
  // The floor no plan can go under: the suite's regex, run alone. RE2 costs about as much
  // per value as reading it, so this one expectation is worth more than the whole scan.
  const regex = CUSTOMER_SUITE.filter((x) => x.type === "expect_column_values_to_match_regex");
  let regexAlone = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++)
    regexAlone = Math.min(regexAlone, (await time(() => validateDataset(engine, table, regex))).ms);
  return { best, regexAlone, validation: last!, phases: await breakdown(engine, table, rounds) };
}

/**
 * Where the suite's time goes: its statements run one by one (best of `rounds`), using the
 * same compiled SQL `validateDataset` runs.
 */
async function breakdown(engine: Engine, table: TableRef, rounds: number): Promise<Record<string, number>> {
  const fields = (await engine.describe(table))!.fields;
  const suite = compileExpectations(engine, table, fields, CUSTOMER_SUITE, 20);
  const scanned = suite.items.filter((i) => i.plan && i.plan.plan !== "schema" && i.plan.plan !== "query");
  const main = mainScanSql(engine, suite, scanned);
  const [mainRow = {}] = await engine.query(main);
  const statements: [string, () => Promise<unknown>][] = [["main scan", () => engine.query(main)]];
  for (const g of suite.groups) {
    const sql = groupScanSql(engine, suite, g);
    const member = suite.items.find((i) => i.group && suite.groups[i.group.query] === g)!;
    const settings = await groupPassSettings(engine, g, pick(mainRow, member.aliases), Number(mainRow.rows));
    statements.push([
      `group by ${g.keys.map((k) => k.sql).join(", ")}${settings ? ` (${Object.keys(settings).join(", ")})` : ""}`,
      () => (settings ? engine.queryWithSettings!(settings, sql) : engine.query(sql)),
    ]);
  }
  for (const d of suite.distributions) {
    const member = suite.items.find((i) => suite.distributions[i.distribution ?? -1] === d)!;
    const range = pick(mainRow, member.aliases);
    statements.push([
      `distribution of ${d.column.sql} (${distributionMethod(range)})`,
      () => runDistributionPass(engine, suite.from, d, range),
    ]);
  }
  const times: Record<string, number> = {};
  for (const [label, run] of statements) {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < rounds; i++) best = Math.min(best, (await time(run)).ms);
    times[label] = Math.round(best);
  }
  return times;
}

function report(
  name: string,
  engineKind: keyof typeof TARGET,
  rows: number,
  m: Awaited<ReturnType<typeof measure>>,
): QualityBenchResult {
  const ratio = m.best.suite / m.best.scan;
  const failed = m.validation.results.filter((r) => !r.success).map((r) => r.expectation.type);
  const errors = m.validation.results
    .filter((r) => r.exception_info)
    .map((r) => r.exception_info?.exception_message);
  if (errors.length > 0) throw new Error(`${name}: expectations raised: ${errors.join("; ")}`);
  const line = `RATIO ${name}: suite/scan = ${ratio.toFixed(2)} (target <= ${TARGET[engineKind].toFixed(2)})`;
  const phases = Object.entries(m.phases)
    .map(([k, v]) => `${k} ${v} ms`)
    .join(", ");
  console.log(
    `${name}: ${rows.toLocaleString("en-US")} rows, ${CUSTOMER_SUITE.length} expectations, ${m.validation.scans} scans; ` +
      `scan ${m.best.scan.toFixed(0)} ms, suite ${m.best.suite.toFixed(0)} ms; failing: ${failed.join(", ") || "none"}`,
  );
  console.log(`${name}: statements alone: ${phases}`);
  console.log(
    `${name}: the email regex expectation alone: ${m.regexAlone.toFixed(0)} ms = ${(m.regexAlone / m.best.scan).toFixed(2)}x the scan`,
  );
  console.log(line);
  return {
    name,
    ratio,
    line,
    details: {
      rows,
      expectations: CUSTOMER_SUITE.length,
      scans: m.validation.scans,
      scanMs: m.best.scan,
      suiteMs: m.best.suite,
      phases: m.phases,
      regexAloneMs: m.regexAlone,
      failing: failed,
    },
  };
}

async function duckdbBench(rows: number, rounds: number): Promise<QualityBenchResult> {
  const csv = customersCsv(rows);
  const file = path.join(BENCH_DIR, `quality_${rows}.duckdb`);
  const engine = await DuckDBEngine.create({ path: file });
  try {
    const [have] = await engine.query<{ n: number }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'customers'",
    );
    if (Number(have?.n ?? 0) === 0) {
      await engine.run(
        `CREATE TABLE customers AS SELECT * FROM read_csv(${engine.dialect.quoteLiteral(csv)}, header = true)`,
      );
    }
    return report(
      `quality-duckdb-${label(rows)}`,
      "duckdb",
      rows,
      await measure(engine, { name: "customers" }, rounds),
    );
  } finally {
    await engine.close();
  }
}

async function postgresBench(rows: number, rounds: number): Promise<QualityBenchResult | undefined> {
  const { POSTGRES_URL, postgresAvailable } = await import("../test/support/servers.js");
  if (!postgresAvailable) {
    console.log("quality-postgres: skipped, PostgreSQL is not reachable");
    return undefined;
  }
  const { PostgresEngine } = await import("../src/engines/postgres/postgres-engine.js");
  const csv = customersCsv(rows);
  const schema = `weir_bench_quality_${newId()}`;
  const engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
  try {
    await engine.createTable({ schema, name: "customers" }, SCHEMA);
    await engine.loadCsv({ schema, name: "customers" }, COLUMNS, withoutHeader(csv));
    await engine.run(`VACUUM ANALYZE ${engine.dialect.quoteTable({ schema, name: "customers" })}`);
    return report(
      `quality-postgres-${label(rows)}`,
      "postgres",
      rows,
      await measure(engine, { schema, name: "customers" }, rounds),
    );
  } finally {
    await engine
      .run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(schema)} CASCADE`)
      .catch(() => undefined);
    await engine.close();
  }
}

/** The CSV's bytes after its header line. */
async function* withoutHeader(file: string): AsyncGenerator<Buffer> {
  let header = true;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    if (!header) {
      yield chunk;
      continue;
    }
    const newline = chunk.indexOf(10);
    if (newline < 0) continue;
    header = false;
    if (newline + 1 < chunk.length) yield chunk.subarray(newline + 1);
  }
}

const label = (rows: number) =>
  rows % 1_000_000 === 0 ? `${rows / 1_000_000}m` : rows % 1000 === 0 ? `${rows / 1000}k` : String(rows);

/** Runs both engines' benchmarks and returns their ratios. */
export async function run(
  options: { rows?: number; pgRows?: number; rounds?: number; postgres?: boolean } = {},
): Promise<QualityBenchResult[]> {
  const rounds = options.rounds ?? 3;
  const results = [await duckdbBench(options.rows ?? 10_000_000, rounds)];
  if (options.postgres ?? true) {
    const pg = await postgresBench(options.pgRows ?? 1_000_000, rounds);
    if (pg) results.push(pg);
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const argv = process.argv.slice(2);
  const rows = argValue(argv, "rows");
  const pgRows = argValue(argv, "pg-rows");
  const rounds = argValue(argv, "rounds");
  await run({
    ...(rows ? { rows: parseRowCounts(rows)[0]! } : {}),
    ...(pgRows ? { pgRows: parseRowCounts(pgRows)[0]! } : {}),
    ...(rounds ? { rounds: Number(rounds) } : {}),
    postgres: !argv.includes("--no-pg"),
  });
}
