/**
 * The customer batch pipeline: CRM (SQLite) → staging (DuckDB warehouse) → raw lake
 * (Parquet, one partition per day) → transform (SQL) → row checks (failures to
 * `quarantine.customers`) → `dim_customers` (upsert by customer_id). The tasks live in
 * `customers-pipeline.ts`; this file plugs in the demo CRM as the source.
 *
 * Every step is idempotent for its logical date, and the incremental cursor is committed
 * only after the load, so re-running a day (or resuming after a crash) yields the same
 * tables. Every extracted row ends in `dim_customers` or in quarantine with a reason.
 *
 * Run: `weir run examples/customers --date 2024-01-15` (after `weir demo` seeded the CRM).
 * `--param source=<file>` reads another CRM database.
 */
// TODO(lead): switch these to `from "weir"` once src/index.ts exports them.
import { SqliteSource } from "../../src/connectors/sqlite-source.js";
import { weirPaths } from "../../src/core/paths.js";
import { customersPipeline } from "./customers-pipeline.js";

export default customersPipeline({
  sourceKey: "crm.customers",
  source: (ctx) =>
    new SqliteSource({
      path: ctx.params.source ?? `${weirPaths().home}/sources/crm.sqlite`,
      table: "customers",
      incremental: { cursorColumn: "updated_at" },
    }),
});
