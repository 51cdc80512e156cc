/**
 * The reference warehouse, as TypeScript definitions weir turns into DDL for DuckDB and
 * PostgreSQL (`weir warehouse plan|apply`), loaded day by day by `pipeline.ts`:
 *
 * - `dim_users`: SCD type 2 over the daily user snapshots (email, names, registration,
 *   segment and activity tracked; a user missing from a snapshot is closed that day).
 * - `dim_date`, `dim_time` (per minute): generated calendar dimensions.
 * - `dim_event_types`: type 1, a key per event type as types appear.
 * - `fact_user_events`: one row per event, keyed to the `dim_users` version valid at the
 *   event's time; monthly partitions on PostgreSQL; day loads replace the day.
 * - `user_daily_metrics`: per user and day, refreshed incrementally after each load (and,
 *   on PostgreSQL, `user_daily_metrics_mv`, a materialized view refreshed CONCURRENTLY).
 */
import {
  type DimensionSpec,
  dateDimension,
  defineAggregate,
  defineDimension,
  defineFact,
  defineWarehouse,
  timeDimension,
} from "weir";

/** `dim_users` as a spec, so benchmarks and tests can place the same dimension elsewhere. */
export const dimUsersSpec = {
  name: "dim_users",
  surrogateKey: "user_key",
  naturalKey: "user_id",
  columns: {
    user_id: "uuid",
    email: "varchar",
    first_name: "varchar",
    last_name: "varchar",
    registration_date: "date",
    user_segment: "varchar",
    is_active: "boolean",
  },
  hardDeletes: "invalidate",
  indexes: [["email"]],
} satisfies DimensionSpec;

export const dimUsers = defineDimension(dimUsersSpec);

export const dimEventTypes = defineDimension({
  name: "dim_event_types",
  type: 1,
  surrogateKey: "event_type_key",
  naturalKey: "event_type",
  columns: { event_type: "varchar" },
});

export const dimDate = dateDimension({ name: "dim_date", from: "2024-01-01", to: "2026-12-31" });
export const dimTime = timeDimension({ name: "dim_time", grain: "minute" });

export const factUserEvents = defineFact({
  name: "fact_user_events",
  grain: ["event_id"],
  columns: {
    event_id: "bigint",
    date_key: { type: "integer", nullable: false },
    time_key: { type: "integer", nullable: false },
    session_id: "uuid",
    page_url: "varchar",
    referrer_url: "varchar",
    event_properties: "json",
    created_at: { type: "timestamptz", nullable: false },
  },
  dimensionKeys: [
    { column: "user_key", dimension: dimUsers, naturalKey: { user_id: "user_id" }, asOf: "created_at" },
    { column: "event_type_key", dimension: dimEventTypes, naturalKey: { event_type: "event_type" } },
  ],
  partitionBy: { column: "date_key", granularity: "month" },
  loadBy: "date_key",
  indexes: [["user_key", "date_key"], ["event_type_key"]],
});

export const userDailyMetrics = defineAggregate({
  name: "user_daily_metrics",
  from: factUserEvents,
  // Portable SQL: both engines run it as written.
  select: `SELECT user_id, date_key,
      count(*) AS total_events,
      count(DISTINCT session_id) AS sessions,
      count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
      COALESCE(sum(CAST(event_properties ->> 'amount' AS DECIMAL(18,2))) FILTER (WHERE event_type = 'purchase'), 0) AS revenue
    FROM fact_user_events
    GROUP BY user_id, date_key`,
  columns: {
    user_id: "uuid",
    date_key: "integer",
    total_events: "bigint",
    sessions: "bigint",
    purchases: "bigint",
    revenue: "decimal(18,2)",
  },
  groupBy: ["user_id", "date_key"],
  incrementalKey: "date_key",
  materializedView: true,
});

export default defineWarehouse({
  name: "warehouse",
  tables: [dimUsers, dimEventTypes, dimDate, dimTime, factUserEvents, userDailyMetrics],
});
