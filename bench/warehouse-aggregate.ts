/**
 * Aggregate part of the warehouse benchmark: `user_daily_metrics` (per user and day:
 * events, sessions, purchases, revenue — the reference aggregate) over a fact of 30 days ×
 * `perDay` events (2024-07-01…30, loaded day by day as a pipeline does), then one new day
 * (2024-07-31, the same month: no partition pruning helps on PostgreSQL). Timed per round:
 *
 *   - incremental: `refreshAggregate` after the new day's load (the day is re-loaded
 *     before each round, not timed, so every round recomputes that one day);
 *   - full: `refreshAggregate(…, { full: true })`, every group of the 31 days recomputed;
 *   - hand full (for information): DELETE + INSERT … SELECT of the same query, one transaction.
 *
 * Ratio = best incremental / best weir full recompute. After the incremental refresh the
 * aggregate must equal the hand full recompute.
 */
import type { TableRef } from "../src/core/types.js";
import type { Engine } from "../src/engines/engine.js";
import { refreshAggregate } from "../src/warehouse/aggregates/refresh-aggregate.js";
import { loadFacts } from "../src/warehouse/facts/load-facts.js";
import { type AggregateModel, defineAggregate } from "../src/warehouse/model/define-aggregate.js";
import { defineFact, type FactModel } from "../src/warehouse/model/define-fact.js";
import { rowDifference, tableOf, timed } from "./warehouse-setup.js";

export const BASE_DAYS = 30;

export function aggregateModels(engine: Engine, schema: string) {
  const fact = defineFact({
    name: "agg_events",
    schema,
    grain: ["event_id"],
    columns: {
      event_id: "bigint",
      date_key: { type: "integer", nullable: false },
      user_id: "uuid",
      session_id: "uuid",
      event_type: "varchar",
      amount: "decimal(18,2)",
    },
    partitionBy: { column: "date_key", granularity: "month" },
    loadBy: "date_key",
    indexes: [["user_id", "date_key"]],
  });
  const spec = (name: string): AggregateModel =>
    defineAggregate({
      name,
      schema,
      from: fact,
      select: `SELECT user_id, date_key, count(*) AS total_events, count(DISTINCT session_id) AS sessions,
          count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
          COALESCE(sum(amount) FILTER (WHERE event_type = 'purchase'), 0) AS revenue
        FROM ${engine.dialect.quoteTable(tableOf(fact))} GROUP BY user_id, date_key`,
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
    });
  return { fact, agg: spec("user_daily_metrics"), handAgg: spec("user_daily_metrics_hand") };
}

export interface AggregateTimes {
  engine: string;
  perDay: number;
  incremental: number[];
  full: number[];
  handFull: number[];
  rows: number;
}

/** One day's events (`day` 0 = 2024-07-01), generated on the engine into `input`. */
async function stageDay(engine: Engine, input: TableRef, day: number, perDay: number, users: number) {
  const d = engine.dialect;
  const duck = engine.kind === "duckdb";
  const str = (x: string) => (duck ? `CAST(${x} AS VARCHAR)` : `CAST(${x} AS text)`);
  const first = day * perDay;
  const series = duck
    ? `range(${first}, ${first + perDay}) AS r(i)`
    : `generate_series(CAST(${first} AS BIGINT), ${first + perDay - 1}) AS r(i)`;
  await engine.run(d.dropTable(input));
  await engine.run(
    `CREATE TABLE ${d.quoteTable(input)} AS SELECT CAST(i AS BIGINT) AS event_id, ${20240701 + day} AS date_key,
       CAST(md5('u' || ${str(`(i * 2654435761) % ${users}`)}) AS UUID) AS user_id,
       CAST(md5('s' || ${str(`(i * 2654435761) % ${users}`)} || '-' || ${str(duck ? "i // 40000" : "i / 40000")}) AS UUID) AS session_id,
       CASE i % 10 WHEN 0 THEN 'purchase' WHEN 1 THEN 'add_to_cart' ELSE 'page_view' END AS event_type,
       CASE WHEN i % 10 = 0 THEN CAST((i % 10000) / 100.0 AS DECIMAL(18,2)) END AS amount
     FROM ${series}`,
  );
}

export async function benchAggregate(
  engine: Engine,
  models: ReturnType<typeof aggregateModels>,
  input: TableRef,
  perDay: number,
  options: { rounds: number; log: (line: string) => void },
): Promise<AggregateTimes> {
  const { fact, agg, handAgg } = models;
  const users = Math.max(1, Math.floor(perDay / 5));
  const load = async (day: number) => {
    await stageDay(engine, input, day, perDay, users);
    await loadFacts(engine, fact as FactModel, input);
  };
  const base = await timed(async () => {
    for (let day = 0; day < BASE_DAYS; day++) await load(day);
    await refreshAggregate(engine, agg);
  });
  options.log(
    `  ${engine.kind} aggregate: ${BASE_DAYS} days loaded and first refresh in ${base.seconds.toFixed(1)} s`,
  );
  const d = engine.dialect;
  const handTarget = d.quoteTable(tableOf(handAgg));
  const cols = handAgg.columns.map((c) => d.quoteIdent(c.name)).join(", ");
  const incremental: number[] = [];
  const full: number[] = [];
  const handFull: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    await load(BASE_DAYS);
    const inc = await timed(() => refreshAggregate(engine, agg));
    if (inc.value.mode !== "incremental" || inc.value.values.length !== 1)
      throw new Error(`expected an incremental refresh of one day, got ${JSON.stringify(inc.value)}`);
    incremental.push(inc.seconds);
    const hand = await timed(() =>
      engine.transaction(async (tx) => {
        await tx.run(`DELETE FROM ${handTarget}`);
        return tx.run(`INSERT INTO ${handTarget} (${cols}) SELECT ${cols} FROM (${handAgg.select}) AS a`);
      }),
    );
    handFull.push(hand.seconds);
    if (round === 0) {
      const diff = await rowDifference(
        engine,
        tableOf(agg),
        tableOf(handAgg),
        agg.columns.map((c) => c.name),
      );
      if (diff !== 0)
        throw new Error(
          `aggregate on ${engine.kind}: incremental result differs from a full recompute in ${diff} rows`,
        );
    }
    const f = await timed(() => refreshAggregate(engine, agg, { full: true }));
    full.push(f.seconds);
    options.log(
      `  ${engine.kind} aggregate round ${round + 1}: incremental ${inc.seconds.toFixed(3)} s (${inc.value.rowsInserted} groups), ` +
        `full ${f.seconds.toFixed(2)} s (${f.value.rowsInserted} groups), hand full ${hand.seconds.toFixed(2)} s`,
    );
  }
  const [r] = await engine.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${d.quoteTable(tableOf(agg))}`);
  await engine.run(d.dropTable(input));
  return { engine: engine.kind, perDay, incremental, full, handFull, rows: Number(r!.n) };
}
