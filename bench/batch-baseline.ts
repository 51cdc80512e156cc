/**
 * The baseline side of `bench/batch.ts`: the customer pipeline's work written by hand as
 * plain DuckDB SQL on one `@duckdb/node-api` connection to a file database — what a
 * careful engineer would write without weir. Same steps, same outputs:
 *
 * 1. read the CSV with `store_rejects`, keeping rows whose `updated_at` is in the interval;
 *    rejected lines go to the quarantine table with their error;
 * 2. land the staged rows as zstd Parquet, Hive-partitioned by the logical day;
 * 3. derive email_domain / days_since_registration / is_active;
 * 4. run the four row checks in one pass (not-null id, email pattern, latest per id, age
 *    13..120); failing rows go to quarantine with every check and reason; then the suite's
 *    table-level checks on the deduplicated rows in one aggregate query (unique id, row
 *    count, email null rate, mean age, country set, freshness);
 * 5. upsert the passing rows into dim_customers by customer_id.
 *
 * Run (normally spawned by bench/batch.ts):
 *   node --import tsx bench/batch-baseline.ts --csv F --home DIR --memory-limit 1GB --threads 2
 * Prints one JSON line: wall seconds, row counts, peak RSS.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { argValue, requiredArg } from "./bench-args.js";

const EMAIL = "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}";
const TIE_BREAK = [
  "customer_id",
  "name",
  "email",
  "registration_date",
  "last_activity",
  "age",
  "phone",
  "country",
  "email_domain",
  "days_since_registration",
  "is_active",
]
  .map((c) => `${c} ASC NULLS LAST`)
  .join(", ");
const LOGICAL_DATE = "2024-01-01";
const START = "2024-01-01 00:00:00";
const END = "2025-01-01 00:00:00";

/** A SQL string literal. */
const lit = (v: string) => `'${v.replaceAll("'", "''")}'`;

export interface BaselineReport {
  side: "duckdb";
  wallSeconds: number;
  steps: Record<string, number>;
  dimRows: number;
  quarantineRows: number;
  /** The outcome of the suite's table-level checks (warn: recorded, never failing). */
  suite: Record<string, boolean>;
  maxRssKiB: number;
}

async function main(argv: readonly string[]): Promise<BaselineReport> {
  const csv = requiredArg(argv, "csv");
  const home = requiredArg(argv, "home");
  const memoryLimit = argValue(argv, "memory-limit");
  const threads = argValue(argv, "threads");
  rmSync(home, { recursive: true, force: true });
  mkdirSync(path.join(home, "tmp"), { recursive: true });
  const lakeDir = path.join(home, "lake", "raw", "customers");
  mkdirSync(path.dirname(lakeDir), { recursive: true });

  let suite: Record<string, boolean> = {};
  const started = performance.now();
  const steps: Record<string, number> = {};
  const config: Record<string, string> = { temp_directory: path.join(home, "tmp") };
  if (memoryLimit) config.memory_limit = memoryLimit;
  if (threads) config.threads = threads;
  const instance = await DuckDBInstance.create(path.join(home, "warehouse.duckdb"), config);
  const conn = await instance.connect();
  const step = async (name: string, sql: string) => {
    const t = performance.now();
    await conn.run(sql);
    steps[name] = Math.round((steps[name] ?? 0) + performance.now() - t);
  };
  const scalar = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRows()[0]![0]);

  await step("setup", "SET TimeZone = 'UTC'; CREATE SCHEMA staging; CREATE SCHEMA quarantine;");
  await step(
    "setup",
    `CREATE TABLE quarantine.customers (run_id VARCHAR NOT NULL, logical_date DATE NOT NULL,
       dataset VARCHAR NOT NULL, stage VARCHAR NOT NULL, "check" VARCHAR NOT NULL, reason VARCHAR NOT NULL,
       location VARCHAR, line BIGINT, record JSON, quarantined_at TIMESTAMPTZ NOT NULL)`,
  );

  await step(
    "extract",
    `CREATE TABLE staging.customers AS
       SELECT * FROM read_csv(${lit(csv)}, header = true, store_rejects = true,
                              rejects_table = 'csv_rejects', rejects_scan = 'csv_rejects_scan')
       WHERE updated_at >= TIMESTAMP '${START}' AND updated_at < TIMESTAMP '${END}'`,
  );
  await step(
    "extract",
    `INSERT INTO quarantine.customers
       SELECT 'baseline', DATE '${LOGICAL_DATE}', 'customers', 'extract',
              CASE WHEN r.column_name IS NULL THEN 'parse' ELSE 'parse(' || r.column_name || ')' END,
              s.file_path || ':' || r.line || ': ' || r.error_message, s.file_path, r.line,
              to_json({raw: r.csv_line}), now()
         FROM csv_rejects r JOIN csv_rejects_scan s USING (scan_id, file_id)`,
  );

  await step(
    "land_raw",
    `COPY (SELECT *, '2024' AS year, '01' AS month, '01' AS day FROM staging.customers)
       TO ${lit(lakeDir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month, day), OVERWRITE_OR_IGNORE)`,
  );

  await step(
    "transform",
    `CREATE TABLE staging.customers_checked AS
     WITH derived AS (
       SELECT *,
         NULLIF(lower(split_part(email, '@', 2)), '') AS email_domain,
         date_diff('day', registration_date, DATE '2025-01-01') AS days_since_registration,
         COALESCE(last_activity >= TIMESTAMP '${END}' - INTERVAL 30 DAY, FALSE) AS is_active
       FROM staging.customers
     ), ranked AS (
       SELECT *,
         -- Ties on updated_at broken by the other columns, as weir's dedupe does: a re-run
         -- (or the other side) keeps the same row.
         row_number() OVER (PARTITION BY customer_id ORDER BY updated_at DESC NULLS LAST, ${TIE_BREAK}) AS version,
         max(updated_at) OVER (PARTITION BY customer_id) AS latest
       FROM derived
     ), flagged AS (
       SELECT *,
         customer_id IS NULL AS f_id,
         COALESCE(NOT regexp_full_match(email, ${lit(EMAIL)}), FALSE) AS f_email,
         COALESCE(customer_id IS NOT NULL AND version > 1, FALSE) AS f_dup,
         COALESCE(age < 13 OR age > 120, FALSE) AS f_age
       FROM ranked
     )
     SELECT * EXCLUDE (version, latest, f_id, f_email, f_age),
       concat_ws('; ',
         CASE WHEN f_id THEN 'not_null(customer_id)' END,
         CASE WHEN f_email THEN 'valid_email' END,
         CASE WHEN f_dup THEN 'unique(customer_id)' END,
         CASE WHEN f_age THEN 'age_13_120' END) AS checks,
       concat_ws('; ',
         CASE WHEN f_id THEN 'customer_id is null' END,
         CASE WHEN f_email THEN 'email ' || COALESCE(email, 'NULL') || ' does not match the pattern' END,
         CASE WHEN f_dup THEN 'duplicate customer_id ' || customer_id || ': a later row (updated_at ' || latest || ') was kept' END,
         CASE WHEN f_age THEN 'age ' || age || ' is outside 13..120' END) AS reasons
     FROM flagged`,
  );

  // The suite's table-level checks on the deduplicated rows, as a hand-writer would: one
  // aggregate query (uniqueness guard, row count, email null rate, mean age, countries,
  // freshness), judged in JS like the suite judges them.
  const t = performance.now();
  const agg = (
    await conn.runAndReadAll(
      `SELECT count(*) AS n, count(customer_id) - count(DISTINCT customer_id) AS dup_ids,
         count(*) FILTER (WHERE email IS NULL) AS null_emails, avg(age) AS mean_age,
         count(*) FILTER (WHERE country NOT IN ('AT','DE','ES','FR','GB','IT','NL','PL','SE','US')) AS odd_countries,
         max(updated_at) AS latest
       FROM staging.customers_checked WHERE NOT f_dup`,
    )
  ).getRowObjects()[0]!;
  const n = Number(agg.n);
  if (Number(agg.dup_ids) > 0) throw new Error(`customer_id_unique failed: ${agg.dup_ids} repeated ids`);
  suite = {
    rowCountOk: n >= 1,
    emailNotNullOk: n === 0 || 1 - Number(agg.null_emails) / n >= 0.99,
    meanAgeOk: agg.mean_age !== null && Number(agg.mean_age) >= 25 && Number(agg.mean_age) <= 65,
    countriesOk: Number(agg.odd_countries) === 0,
    fresh: agg.latest !== null,
  };
  steps.check = Math.round((steps.check ?? 0) + performance.now() - t);

  await step(
    "check",
    `INSERT INTO quarantine.customers
       SELECT 'baseline', DATE '${LOGICAL_DATE}', 'customers', 'check', checks, reasons, 'staging.customers', NULL,
              json_object('customer_id', customer_id, 'name', name, 'email', email,
                'registration_date', registration_date, 'last_activity', last_activity,
                'updated_at', updated_at, 'age', age, 'phone', phone, 'country', country,
                'email_domain', email_domain, 'days_since_registration', days_since_registration,
                'is_active', is_active),
              now()
         FROM staging.customers_checked WHERE checks <> ''`,
  );

  await step(
    "load",
    `CREATE TABLE dim_customers AS
       SELECT * EXCLUDE (checks, reasons, f_dup) FROM staging.customers_checked LIMIT 0;
     ALTER TABLE dim_customers ADD PRIMARY KEY (customer_id);
     INSERT INTO dim_customers BY NAME
       SELECT * EXCLUDE (checks, reasons, f_dup) FROM staging.customers_checked WHERE checks = ''
     ON CONFLICT (customer_id) DO UPDATE SET
       name = excluded.name, email = excluded.email, registration_date = excluded.registration_date,
       last_activity = excluded.last_activity, updated_at = excluded.updated_at, age = excluded.age,
       phone = excluded.phone, country = excluded.country, email_domain = excluded.email_domain,
       days_since_registration = excluded.days_since_registration, is_active = excluded.is_active`,
  );
  const dimRows = await scalar("SELECT count(*) FROM dim_customers");
  const quarantineRows = await scalar("SELECT count(*) FROM quarantine.customers");
  conn.closeSync();
  instance.closeSync();
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    side: "duckdb",
    wallSeconds,
    steps,
    dimRows,
    quarantineRows,
    suite,
    maxRssKiB: process.resourceUsage().maxRSS,
  };
}

const report = await main(process.argv.slice(2));
console.log(JSON.stringify(report));
