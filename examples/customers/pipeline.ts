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
 * Scheduled like the classic Airflow DAG for this job: daily at 02:00 (UTC), 3 retries
 * 5 minutes apart, no catchup (a scheduler that was down runs only the latest day), one
 * active run at a time. The run with logical date 2024-01-15T02:00 covers
 * [01-15 02:00, 01-16 02:00) and starts at 2024-01-16 02:00. Failures page the data team
 * by mail and chat (channels in ../../weir.config.ts); retries and an SLA miss (not done
 * 2 hours after it was queued) go to chat.
 *
 * Run: `weir run customers --date 2024-01-15` (after `weir demo` seeded the CRM), or let
 * `weir scheduler` run it. `--param source=<file>` reads another CRM database.
 */
import { SqliteSource, weirPaths } from "weir";
import { customersPipeline } from "./customers-pipeline.js";

export default customersPipeline({
  sourceKey: "crm.customers",
  settings: {
    schedule: "0 2 * * *",
    timezone: "UTC",
    startDate: "2024-01-01",
    catchup: false,
    maxActiveRuns: 1,
    retries: 3,
    retryDelay: "5m",
    owner: "data-team",
    tags: ["crm", "daily"],
    notifications: {
      failure: ["data-team-email", "data-team-slack"],
      retry: ["data-team-slack"],
      sla_miss: ["data-team-slack"],
      sla: "2h",
    },
  },
  source: (ctx) =>
    new SqliteSource({
      path: ctx.params.source ?? `${weirPaths().home}/sources/crm.sqlite`,
      table: "customers",
      incremental: { cursorColumn: "updated_at" },
    }),
});
