/**
 * The tasks of the daily warehouse load: one users snapshot and one day of user events per run.
 *
 *   apply_model ─┬─ extract_users ── load_dim_users ───────────────┐
 *                └─ extract_events ─┬─ land_raw_events              ├─ load_facts ── refresh_aggregates
 *                                   └─ load_dim_event_types ───────┘
 *
 * - `apply_model` applies `warehouse.ts` (additive changes only; idempotent).
 * - `extract_users` reads `users_<yyyy-mm-dd>.csv` of the run's date; `extract_events` reads
 *   `events_<yyyy-mm-dd>.ndjson` (events by event date), keeping those whose `timestamp`
 *   falls in the run's day; lines that do not parse go to `quarantine.user_events` with
 *   file, line and reason.
 * - `land_raw_events` keeps the day's events in the lake (`lake.raw.user_events`, `date=`).
 * - `load_dim_users`: the SCD2 merge of the snapshot, as of the run's date.
 * - `load_facts`: keys each event to the user version valid at its time (unknown member
 *   -1 when the user has none yet, repaired once the user arrives), replaces the day.
 * - `refresh_aggregates`: `user_daily_metrics` for the days the loads touched (and the
 *   PostgreSQL materialized view).
 *
 * Every task is idempotent for its date: re-running a day leaves every table identical.
 * The same file runs on the embedded DuckDB warehouse and, unchanged, on PostgreSQL
 * (`WEIR_WAREHOUSE_URL=postgres://…`).
 */
import { join } from "node:path";
import {
  applyWarehouse,
  CsvSource,
  dateKeySql,
  definePipeline,
  defineTask,
  formatDate,
  loadFacts,
  loadSnapshot,
  NdjsonSource,
  type PipelineDefinition,
  type PipelineSpec,
  refreshAggregate,
  refreshMaterializedView,
  type TaskContext,
  timeKeySql,
  weirPaths,
} from "weir";
import model, { dimEventTypes, dimUsers, factUserEvents, userDailyMetrics } from "./warehouse.js";

const dataDir = () => join(weirPaths().home, "sources", "warehouse");
/** The run date's users snapshot: `users_<yyyy-mm-dd>.csv` in `--param users=<dir>`. */
const usersFile = (ctx: TaskContext) =>
  join(ctx.params.users ?? join(dataDir(), "users"), `users_${formatDate(ctx.logicalDate)}.csv`);
/** The run date's events: `events_<yyyy-mm-dd>.ndjson` in `--param events=<dir>`. */
const eventsFile = (ctx: TaskContext) =>
  join(ctx.params.events ?? join(dataDir(), "events"), `events_${formatDate(ctx.logicalDate)}.ndjson`);

const applyModel = defineTask({
  id: "apply_model",
  run: async (ctx) => {
    const { applied } = await applyWarehouse(ctx.engine, model);
    return { steps: applied.length };
  },
});

const extractUsers = defineTask({
  id: "extract_users",
  dependsOn: ["apply_model"],
  run: async (ctx) => {
    const source = new CsvSource({
      path: usersFile(ctx),
      columns: { registration_date: "date", is_active: "boolean", updated_at: "timestamp" },
    });
    try {
      const result = await ctx.extract(source, { dataset: "users", table: ctx.stagingTable("users") });
      return { rows: result.rowsLoaded, rejected: result.rowsRead - result.rowsLoaded };
    } finally {
      await source.close?.();
    }
  },
});

const extractEvents = defineTask({
  id: "extract_events",
  dependsOn: ["apply_model"],
  run: async (ctx) => {
    const source = new NdjsonSource({
      path: eventsFile(ctx),
      columns: { event_id: "bigint", timestamp: "timestamptz", properties: "json" },
      incremental: { cursorColumn: "timestamp" },
    });
    try {
      const result = await ctx.extract(source, { dataset: "user_events", table: ctx.stagingTable("events") });
      // Skipped: records outside the day, or with no `timestamp` at all (outside every day).
      return { rows: result.rowsLoaded, rejected: result.quarantined, skipped: result.rowsSkipped };
    } finally {
      await source.close?.();
    }
  },
});

const landRawEvents = defineTask({
  id: "land_raw_events",
  dependsOn: ["extract_events"],
  run: async (ctx) => {
    const day = formatDate(ctx.logicalDate);
    const commit = await ctx.lake.dataset("lake.raw.user_events").write(
      {
        engine: ctx.engine,
        sql: `SELECT * FROM ${ctx.engine.dialect.quoteTable(ctx.stagingTable("events"))}`,
      },
      {
        mode: "overwrite-partition",
        partitionBy: [{ name: "date", expression: ctx.engine.dialect.quoteLiteral(day) }],
        lockWaitMs: 120_000,
      },
    );
    return { rows: commit.rowsWritten };
  },
});

const loadDimUsers = defineTask({
  id: "load_dim_users",
  dependsOn: ["extract_users"],
  run: async (ctx) => {
    const result = await loadSnapshot(ctx.engine, dimUsers, ctx.stagingTable("users"), {
      asOf: formatDate(ctx.logicalDate),
    });
    ctx.recordOutput({ kind: "warehouse", name: dimUsers.name });
    return result;
  },
});

const loadDimEventTypes = defineTask({
  id: "load_dim_event_types",
  dependsOn: ["extract_events"],
  run: async (ctx) => {
    const events = ctx.engine.dialect.quoteTable(ctx.stagingTable("events"));
    return loadSnapshot(
      ctx.engine,
      dimEventTypes,
      { sql: `SELECT DISTINCT event_type FROM ${events} WHERE event_type IS NOT NULL` },
      { asOf: formatDate(ctx.logicalDate) },
    );
  },
});

const loadFactsTask = defineTask({
  id: "load_facts",
  dependsOn: ["load_dim_users", "load_dim_event_types"],
  run: async (ctx) => {
    const e = ctx.engine;
    const events = e.dialect.quoteTable(ctx.stagingTable("events"));
    const day = Number(formatDate(ctx.logicalDate).replaceAll("-", ""));
    const loaded = await loadFacts(
      e,
      factUserEvents,
      {
        sql: `SELECT event_id, user_id, event_type,
            ${dateKeySql(e, '"timestamp"')} AS date_key,
            ${timeKeySql(e, '"timestamp"', "minute")} AS time_key,
            session_id, page_url, referrer_url,
            properties AS event_properties, "timestamp" AS created_at
          FROM ${events}`,
      },
      // The day is replaced even when it has no events any more; rows that cannot be loaded
      // (no id or time) go to quarantine.fact_user_events, replaced when the day re-runs;
      // earlier facts whose user has arrived are re-keyed in the same transaction.
      {
        replace: [day],
        quarantine: { runId: ctx.runId, logicalDate: formatDate(ctx.logicalDate) },
        repair: true,
      },
    );
    ctx.recordDataset({ dataset: "user_events", loaded: loaded.rows, into: factUserEvents.name });
    ctx.recordOutput({ kind: "warehouse", name: factUserEvents.name });
    return { ...loaded, repaired: loaded.repaired?.rekeyed };
  },
});

const refreshAggregates = defineTask({
  id: "refresh_aggregates",
  dependsOn: ["load_facts"],
  run: async (ctx) => {
    const result = await refreshAggregate(ctx.engine, userDailyMetrics);
    if (ctx.engine.kind === "postgres") await refreshMaterializedView(ctx.engine, userDailyMetrics);
    ctx.recordOutput({ kind: "warehouse", name: userDailyMetrics.name });
    return result;
  },
});

/**
 * The warehouse pipeline with `settings` (schedule, retries…) on top of its tasks;
 * `pipeline.ts` runs it daily.
 */
export function warehousePipeline(settings: Omit<PipelineSpec, "id" | "tasks"> = {}): PipelineDefinition {
  return definePipeline({
    id: "warehouse",
    description: "users snapshots + user events → dim_users (SCD2), fact_user_events, user_daily_metrics",
    ...settings,
    tasks: [
      applyModel,
      extractUsers,
      extractEvents,
      landRawEvents,
      loadDimUsers,
      loadDimEventTypes,
      loadFactsTask,
      refreshAggregates,
    ],
  });
}
