/**
 * Orders, one daily partition per run, fanned out over the day's hours.
 *
 * - `partitions: "daily"`: a run materialises one day of `lake.raw.orders`; the store
 *   keeps the materialised days as merged ranges, so `weir backfill partitioned-orders
 *   --from 2024-01-01 --to 2024-03-31` plans exactly the missing days.
 * - `extract_hour` is mapped: one task instance per hour of the partition (24, or 23/25
 *   on DST days in a zone with DST), each with its own attempts, logs and retries, at most
 *   6 at once.
 * - The shop's order API allows two concurrent readers, so every hour's extract takes a
 *   slot of the pool `shop_api` (2 slots). The pool lives in the metadata store and is
 *   shared by every pipeline and process that uses it: two backfills at once still make
 *   at most two calls.
 * - Two fan-ins: `land_raw` writes the day's partition of the lake, `daily_summary`
 *   upserts `fct_orders_daily`. Both are idempotent: re-running a day rewrites the same rows.
 *
 * - Scheduled daily at 00:30 UTC for the shop's 2024 history (`startDate`/`endDate`) with
 *   `catchup`: a scheduler started today queues every day of 2024 that has no run and
 *   works through them oldest first, three at a time (`maxActiveRuns`).
 *
 * The "API" is simulated in SQL (deterministic orders per hour), so the example needs no
 * server: `weir run partitioned-orders --date 2024-01-15`, `weir backfill
 * partitioned-orders --from 2024-01-01 --to 2024-01-31`, or `weir scheduler`.
 */
import {
  definePipeline,
  defineTask,
  formatTimestamp,
  type TaskContext,
  timePartitions,
  writeTable,
} from "weir";

const SUMMARY = { name: "fct_orders_daily" };
const HOUR_MS = 3_600_000;

/** The partition's [start, end): the run's day (its data interval when run without partitions). */
function dayOf(ctx: TaskContext): { start: Date; end: Date } {
  return ctx.partition ?? ctx.interval;
}

/**
 * The run's staged orders, in its own staging schema: days running side by side (catchup,
 * backfills) never share the table, and it is dropped when the run succeeds.
 */
const staged = (ctx: TaskContext) => ctx.stagingTable("orders");

/** Creates the run's staging table once; every hour replaces only its own rows in it. */
async function ensureStaging(ctx: TaskContext): Promise<void> {
  await ctx.engine.createSchema(ctx.stagingSchema);
  await ctx.engine.run(
    `CREATE TABLE IF NOT EXISTS ${ctx.engine.dialect.quoteTable(staged(ctx))} (
       order_id BIGINT, customer_id INTEGER, amount DECIMAL(10, 2), status VARCHAR, ordered_at TIMESTAMP)`,
  );
}

/** One instance per hour of the day; each "calls the API" for its hour inside a pool slot. */
const extractHour = defineTask({
  id: "extract_hour",
  pool: "shop_api",
  retries: 2,
  retryDelay: "30s",
  timeout: "5m",
  datasets: { reads: ["source.shop.orders"] },
  concurrency: 6,
  map: (ctx) => {
    const { start, end } = dayOf(ctx);
    const hours: string[] = [];
    for (let t = start.getTime(); t < end.getTime(); t += HOUR_MS) hours.push(new Date(t).toISOString());
    return hours;
  },
  run: async (ctx, hour: string) => {
    await ensureStaging(ctx);
    const from = new Date(hour);
    const to = new Date(from.getTime() + HOUR_MS);
    const table = ctx.engine.dialect.quoteTable(staged(ctx));
    const seed = Math.floor(from.getTime() / HOUR_MS);
    // 40–99 orders an hour, the same for the same hour on every run.
    const n = 40 + (((seed * 2_654_435_761) % 2 ** 32) % 60);
    // Idempotent per hour: replace this hour's rows, whatever an earlier attempt left.
    await ctx.engine.run(`DELETE FROM ${table} WHERE ordered_at >= $1 AND ordered_at < $2`, [
      formatTimestamp(from),
      formatTimestamp(to),
    ]);
    const rows = await ctx.engine.run(
      `INSERT INTO ${table}
       SELECT $1 * 1000 + i AS order_id,
              CAST(1 + hash($1, i) % 5000 AS INTEGER) AS customer_id,
              CAST(5 + (hash($1, i, 'amount') % 20000) / 100.0 AS DECIMAL(10, 2)) AS amount,
              CASE WHEN hash($1, i, 'status') % 20 = 0 THEN 'refunded' ELSE 'paid' END AS status,
              CAST($2 AS TIMESTAMP) + to_seconds(CAST(i * 3600 // $3 AS BIGINT)) AS ordered_at
       FROM range(CAST($3 AS BIGINT)) AS r(i)`,
      [seed, formatTimestamp(from), n],
    );
    ctx.logger.info(`extracted ${rows} orders for ${hour}`, { hour, rows });
    ctx.recordRows({ in: rows, out: rows });
    ctx.recordDataset({ dataset: "orders", extracted: rows });
    return { hour, rows };
  },
});

/** Fan-in: the day's staged orders as one partition of the raw lake (replaced on re-runs). */
const landRaw = defineTask({
  id: "land_raw",
  dependsOn: ["extract_hour"],
  datasets: { writes: ["lake.raw.orders"] },
  run: async (ctx) => {
    const { start, end } = dayOf(ctx);
    const hours = ctx.outputOf(extractHour);
    const expected = hours.reduce((sum, h) => sum + h.rows, 0);
    const dataset = ctx.lake.dataset("lake.raw.orders");
    const d = ctx.engine.dialect;
    const commit = await dataset.write(
      {
        engine: ctx.engine,
        sql: `SELECT * FROM ${d.quoteTable(staged(ctx))}
              WHERE ordered_at >= CAST(${d.quoteLiteral(formatTimestamp(start))} AS TIMESTAMP)
                AND ordered_at < CAST(${d.quoteLiteral(formatTimestamp(end))} AS TIMESTAMP)`,
      },
      // Days run side by side (catchup, backfills) and commit to the same dataset: wait for its lock.
      { mode: "overwrite-partition", partitionBy: timePartitions("ordered_at", "day"), lockWaitMs: 120_000 },
    );
    if (commit.rowsWritten !== expected) {
      throw new Error(`landed ${commit.rowsWritten} orders but the hours extracted ${expected}`);
    }
    ctx.recordRows({ in: expected, out: commit.rowsWritten });
    // The orders' final place: the run summary reconciles extracted = loaded (+ 0 quarantined).
    ctx.recordDataset({ dataset: "orders", loaded: commit.rowsWritten, into: dataset.id });
    ctx.recordOutput({ kind: "lake", name: dataset.id, location: dataset.dir });
    return { rows: commit.rowsWritten, hours: hours.length };
  },
});

/**
 * The day's totals, upserted by day. Beside `land_raw`, not after it: both read the staged
 * hours, so the summary does not wait for the lake commit. It aggregates (the day's orders
 * in, one row out), so it records no dataset: the run's reconciliation is about the
 * orders, which `land_raw` lands.
 */
const dailySummary = defineTask({
  id: "daily_summary",
  dependsOn: ["extract_hour"],
  datasets: { writes: ["warehouse.fct_orders_daily"] },
  run: async (ctx) => {
    const { start, end } = dayOf(ctx);
    const d = ctx.engine.dialect;
    const { rowsWritten } = await writeTable(
      ctx.engine,
      SUMMARY,
      {
        engine: ctx.engine,
        sql: `SELECT CAST(${d.quoteLiteral(formatTimestamp(start))} AS DATE) AS day,
                     count(*) AS orders,
                     count(*) FILTER (WHERE status = 'refunded') AS refunds,
                     CAST(sum(amount) FILTER (WHERE status = 'paid') AS DECIMAL(14, 2)) AS revenue
              FROM ${d.quoteTable(staged(ctx))}
              WHERE ordered_at >= CAST(${d.quoteLiteral(formatTimestamp(start))} AS TIMESTAMP)
                AND ordered_at < CAST(${d.quoteLiteral(formatTimestamp(end))} AS TIMESTAMP)`,
      },
      { mode: "upsert", key: ["day"] },
    );
    const orders = ctx.outputOf(extractHour).reduce((sum, h) => sum + h.rows, 0);
    ctx.recordRows({ in: orders, out: rowsWritten });
    ctx.logger.info(`upserted the summary of ${start.toISOString().slice(0, 10)}`, { rowsWritten });
    ctx.recordOutput({ kind: "warehouse", name: SUMMARY.name });
    return { rowsWritten };
  },
});

export default definePipeline({
  id: "partitioned-orders",
  description:
    "shop orders per hour (fan-out, pool shop_api) → lake.raw.orders daily partition → fct_orders_daily",
  schedule: "30 0 * * *",
  timezone: "UTC",
  startDate: "2024-01-01",
  endDate: "2024-12-31",
  partitions: "daily",
  catchup: true,
  maxActiveRuns: 3,
  owner: "data-team",
  tags: ["shop", "partitioned"],
  pools: { shop_api: 2 },
  notifications: { failure: ["data-team-slack"] },
  tasks: [extractHour, landRaw, dailySummary],
});
