/**
 * The customer batch pipeline's tasks, with the source left open: customers source →
 * staging (warehouse) → raw lake (Parquet, one partition per logical day) → transform
 * (SQL) → dedupe + the `customers.suite.yaml` quality suite (failures to
 * `quarantine.customers`) → `dim_customers` (upsert by customer_id). `pipeline.ts` plugs
 * in the demo CRM; benchmarks plug in a CSV file.
 *
 * Every step is idempotent for its logical date, and the incremental cursor is committed
 * only after the load, so re-running a day (or resuming after a crash) yields the same
 * tables. Every extracted row ends in `dim_customers` or in quarantine with a reason.
 */
import { fileURLToPath } from "node:url";
import {
  applyPolicy,
  assertNoUnmaskedPii,
  checkRows,
  type DatasetPolicy,
  definePipeline,
  defineTask,
  formatDate,
  formatTimestamp,
  loadPolicyFile,
  loadSuiteFile,
  type PipelineDefinition,
  type PipelineSpec,
  runSuite,
  type Source,
  type TableRef,
  type TaskContext,
  uniqueBy,
  writeTable,
} from "weir";

export interface CustomersPipelineOptions {
  /**
   * Opens the customers source for one run (closed by the extract task). It must carry
   * `customer_id, name, email, registration_date, last_activity, updated_at, age, …` and
   * filter by `updated_at` over the run's data interval.
   */
  source: (ctx: TaskContext) => Source;
  /** The key the incremental cursor is committed under. Default `crm.customers`. */
  sourceKey?: string;
  /**
   * What may land in `dim_customers` about a customer (the warehouse is a protected zone):
   * default `customers.policy.yaml` (email hashed + masked, phone masked); `false` lands the
   * rows as they are (the benchmark's baseline).
   */
  policy?: DatasetPolicy | false;
  /**
   * Schedule, retries, notifications… for the pipeline (`pipeline.ts` runs it daily at
   * 02:00); benchmarks leave them out and run it by hand.
   */
  settings?: Omit<PipelineSpec, "id" | "tasks">;
}

/**
 * The run's staged tables, in its own staging schema (`ctx.stagingTable`): two runs of a
 * backfill never overwrite each other's, and they are dropped when the run succeeds.
 */
const staged = (ctx: TaskContext) => ({
  extracted: ctx.stagingTable("customers"),
  // A view (see transform).
  transformed: ctx.stagingTable("customers_derived"),
  deduped: ctx.stagingTable("customers_deduped"),
  duplicates: ctx.stagingTable("customers_duplicates"),
  passed: ctx.stagingTable("customers_passed"),
  failed: ctx.stagingTable("customers_failed"),
});
const DIM: TableRef = { name: "dim_customers" };
/** The checks, as a Great Expectations-style suite that `weir check` runs alone too. */
const SUITE_FILE = fileURLToPath(new URL("./customers.suite.yaml", import.meta.url));
/** The PII policy of dim_customers. */
const POLICY_FILE = fileURLToPath(new URL("./customers.policy.yaml", import.meta.url));

/**
 * The customer pipeline over the source `options.source` opens.
 *
 * @example
 * const pipeline = customersPipeline({
 *   source: () => new CsvSource({ path: "/data/customers.csv", incremental: { cursorColumn: "updated_at" } }),
 * });
 */
export function customersPipeline(options: CustomersPipelineOptions): PipelineDefinition {
  const sourceKey = options.sourceKey ?? "crm.customers";

  /**
   * Customers changed in the data interval, from the source into the run's staging table;
   * unreadable rows to quarantine (`ctx.extract` does both, and counts them).
   */
  const extract = defineTask({
    id: "extract",
    run: async (ctx) => {
      const source = options.source(ctx);
      try {
        const result = await ctx.extract(source, { dataset: "customers", table: staged(ctx).extracted });
        await ctx.progress({ step: "extracted", done: result.rowsRead, unit: "rows" });
        return {
          rowsRead: result.rowsRead,
          rowsLoaded: result.rowsLoaded,
          cursor: result.cursor,
          source: source.location,
        };
      } finally {
        await source.close?.();
      }
    },
  });

  /** The staged rows as they came, in the raw zone, one partition per logical day (replaced on re-runs). */
  const landRaw = defineTask({
    id: "land_raw",
    dependsOn: ["extract"],
    run: async (ctx) => {
      const [year, month, day] = formatDate(ctx.logicalDate).split("-") as [string, string, string];
      const literal = (v: string) => ctx.engine.dialect.quoteLiteral(v);
      const dataset = ctx.lake.dataset("lake.raw.customers");
      const commit = await dataset.write(
        { engine: ctx.engine, sql: `SELECT * FROM ${ctx.engine.dialect.quoteTable(staged(ctx).extracted)}` },
        {
          mode: "overwrite-partition",
          partitionBy: [
            { name: "year", expression: literal(year) },
            { name: "month", expression: literal(month) },
            { name: "day", expression: literal(day) },
          ],
          // Dates of a backfill run side by side and commit to the same dataset: wait for its lock.
          lockWaitMs: 120_000,
        },
      );
      // Every staged row is written: rows in = rows out.
      ctx.recordRows({ in: commit.rowsWritten, out: commit.rowsWritten });
      ctx.recordOutput({
        kind: "lake",
        name: dataset.id,
        location: `${dataset.dir}/year=${year}/month=${month}/day=${day}`,
      });
      return { commitId: commit.commitId, rows: commit.rowsWritten };
    },
  });

  /**
   * Derived columns, in SQL on the warehouse (portable: DuckDB and PostgreSQL run it as
   * written); "now" is the end of the data interval, so re-runs agree. A view, not a table: the checks read it once, so materialising it
   * would only write every row an extra time.
   */
  const transform = defineTask({
    id: "transform",
    dependsOn: ["extract"],
    run: async (ctx) => {
      const d = ctx.engine.dialect;
      const { extracted, transformed } = staged(ctx);
      // A literal, not a parameter: a view cannot hold parameters. The value is ours, not user input.
      const end = d.quoteLiteral(formatTimestamp(ctx.interval.end));
      await ctx.engine.run(
        `CREATE OR REPLACE VIEW ${d.quoteTable(transformed)} AS
         SELECT *,
           NULLIF(lower(split_part(email, '@', 2)), '') AS email_domain,
           CAST(CAST(CAST(${end} AS TIMESTAMP) AS DATE) - registration_date AS BIGINT) AS days_since_registration,
           COALESCE(last_activity >= CAST(${end} AS TIMESTAMP) - INTERVAL '30 days', FALSE) AS is_active
         FROM ${d.quoteTable(extracted)}`,
      );
      // One derived row per staged row (a view: counted from the extract, not scanned again).
      const rows = ctx.outputOf(extract).rowsLoaded;
      ctx.recordRows({ in: rows, out: rows });
      return { view: transformed };
    },
  });

  /**
   * Quality, in two steps. Dedupe first: one row per customer_id, the latest by updated_at;
   * the older versions go to quarantine as `unique(customer_id)`. (GX's
   * `expect_column_values_to_be_unique` flags every duplicate, so the suite keeps it only
   * as a guard.) Then the suite: rows failing its `quarantine: true` expectations go to
   * quarantine.customers with every failing check and a reason; a failed `error`
   * expectation fails the task; `warn` ones, freshness, schema and anomalies are recorded.
   */
  const check = defineTask({
    id: "check",
    dependsOn: ["transform"],
    run: async (ctx) => {
      const t = staged(ctx);
      const deduped = await checkRows(ctx.engine, {
        source: t.transformed,
        passed: t.deduped,
        failed: t.duplicates,
        checks: [uniqueBy("customer_id", { latestBy: "updated_at" })],
        // The deduplicated rows are a view over one table of every row with its flag, so
        // they are written once; the suite and the load read them before the next run.
        passedAsView: true,
      });
      const duplicates = await ctx.quarantine({
        dataset: "customers",
        stage: "dedupe",
        failed: t.duplicates,
        location: "staging.customers",
      });
      const result = await runSuite(ctx.engine, t.deduped, await loadSuiteFile(SUITE_FILE), {
        dataset: "customers",
        runId: ctx.runId,
        store: ctx.metadata.quality,
        // Freshness is judged against the end of the day being processed, so re-runs agree.
        now: ctx.interval.end,
        quarantine: {
          // A view over the deduplicated table: load reads it right after this task, so a
          // copy of nearly every row would only be written to be read once.
          passed: t.passed,
          passedAsView: true,
          failed: t.failed,
          logicalDate: formatDate(ctx.logicalDate),
          stage: "check",
          write: (request) => ctx.quarantine({ ...request, location: "staging.customers" }),
        },
      });
      ctx.recordOutput({ kind: "quarantine", name: "quarantine.customers" });
      const quarantined = result.quarantined!;
      ctx.recordRows({ in: deduped.passed + deduped.failed, out: quarantined.passed });
      return { passed: quarantined.passed, failed: duplicates.rows + quarantined.rows, score: result.score };
    },
  });

  /**
   * Upsert into dim_customers, then (and only then) advance the cursor: a crash between the
   * two re-reads the same interval and the upsert writes the same rows again.
   */
  const load = defineTask({
    id: "load",
    dependsOn: ["check", "land_raw"],
    run: async (ctx) => {
      const { cursor } = ctx.outputOf(extract);
      await ctx.progress({ step: "loading" });
      const passed = { sql: `SELECT * FROM ${ctx.engine.dialect.quoteTable(staged(ctx).passed)}` };
      const policy = options.policy === undefined ? await loadPolicyFile(POLICY_FILE) : options.policy;
      // The warehouse is a protected zone: the policy is applied in the SELECT that loads it.
      const { sql } = policy ? await applyPolicy(ctx, passed, policy) : passed;
      const { rowsWritten } = await writeTable(
        ctx.engine,
        DIM,
        { engine: ctx.engine, sql },
        { mode: "upsert", key: ["customer_id"] },
      );
      // …and checked: a PII class found unmasked in the dimension fails the run (PII_UNMASKED).
      if (policy) await assertNoUnmaskedPii(ctx.engine, DIM, { allow: policy.allowRaw });
      await ctx.progress({ step: "loaded", done: rowsWritten, unit: "rows" });
      if (cursor !== undefined) await ctx.cursors.commit(sourceKey, cursor);
      ctx.recordRows({ in: ctx.outputOf(check).passed, out: rowsWritten });
      // Where the customers' rows end: the run summary reconciles extracted = loaded + quarantined.
      ctx.recordDataset({ dataset: "customers", loaded: rowsWritten, into: DIM.name });
      ctx.recordOutput({ kind: "warehouse", name: DIM.name });
      return { rowsWritten };
    },
  });

  return definePipeline({
    id: "customers",
    description: "customers source → raw lake → checks → dim_customers",
    ...options.settings,
    tasks: [extract, landRaw, transform, check, load],
  });
}
