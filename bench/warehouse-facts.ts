/**
 * Fact-load part of the warehouse benchmark: N events generated in SQL on the engine
 * (users drawn from the dimension's natural keys, timestamps spread over the 7 snapshot
 * days, 0.5% of events from ~1000 unknown users, 0.1% duplicate event ids with other
 * content), loaded by weir's `loadFacts` and by hand-written SQL into a table of the same
 * model, in the same run on the same engine, each into its table emptied before the round
 * (not timed), replacing the 7 days it loads:
 *
 *   DELETE the days; INSERT … SELECT the loadable rows deduplicated by event_id (the first
 *   row by every other column, as weir), keyed to the dimension version in effect at
 *   `created_at` (before a key's first version: the first; no version: -1) — one transaction.
 *
 * The hand lookup: DuckDB, an ASOF LEFT JOIN on the versions' effective time (the first
 * version's moved to -∞); PostgreSQL, DISTINCT ON for the dedupe and a hash join on the
 * natural key with a range filter on [effective, next version's effective). Both tables
 * must end equal. Weir also counts the input per day, quarantines NULL rows, checks for
 * missing members, counts unknown keys and writes its ledger row.
 */
import type { TableRef } from "../src/core/types.js";
import type { Engine } from "../src/engines/engine.js";
import { applyWarehouse } from "../src/warehouse/ddl/apply-warehouse.js";
import { ensurePartitions } from "../src/warehouse/ddl/fact-partitions.js";
import { tableDefinition } from "../src/warehouse/ddl/table-definition.js";
import { loadFacts } from "../src/warehouse/facts/load-facts.js";
import { dateKeySql, timeKeySql } from "../src/warehouse/facts/time-keys-sql.js";
import type { FactModel } from "../src/warehouse/model/define-fact.js";
import { defineWarehouse } from "../src/warehouse/model/define-warehouse.js";
import { count, DAYS, rowDifference, tableOf, timed } from "./warehouse-setup.js";

export interface FactLoadTimes {
  engine: string;
  events: number;
  /** Per round, seconds. */
  weir: number[];
  hand: number[];
  rows: number;
  unknown: number;
}

/** The input events, generated on the engine from the dimension's keys (not timed). */
export async function generateEvents(engine: Engine, fact: FactModel, input: TableRef, events: number) {
  const d = engine.dialect;
  const dim = fact.dimensionKeys[0]!.dimension;
  const picks: TableRef = { schema: input.schema, name: `${input.name}_users` };
  const dimT = d.quoteTable(tableOf(dim));
  await engine.run(d.dropTable(picks));
  await engine.run(
    `CREATE TABLE ${d.quoteTable(picks)} AS SELECT user_id, CAST(row_number() OVER (ORDER BY user_id) - 1 AS BIGINT) AS n
     FROM (SELECT DISTINCT user_id FROM ${dimT} WHERE user_key <> -1) AS k`,
  );
  const users = await count(engine, picks);
  const stepUs = Math.floor((DAYS * 86_400_000_000) / events);
  const duck = engine.kind === "duckdb";
  const series = duck
    ? `range(${events}) AS r(i)`
    : `generate_series(CAST(0 AS BIGINT), ${events - 1}) AS r(i)`;
  const uuidOf = (text: string) => `CAST(md5(${text}) AS UUID)`;
  const str = (x: string) => (duck ? `CAST(${x} AS VARCHAR)` : `CAST(${x} AS text)`);
  const created = duck
    ? `TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_microseconds(CAST(i * ${stepUs} + (i % 1000 = 999)::INTEGER * 1000 AS BIGINT))`
    : `TIMESTAMPTZ '2024-06-01 00:00:00+00' + (i * ${stepUs} + (i % 1000 = 999)::integer * 1000) * INTERVAL '1 microsecond'`;
  const rows = `SELECT CAST(CASE WHEN i % 1000 = 999 THEN i - 1 ELSE i END AS BIGINT) AS event_id,
      ${created} AS created_at,
      ${uuidOf(`'s' || ${str(duck ? "i // 20" : "i / 20")}`)} AS session_id,
      CASE i % 10 WHEN 0 THEN 'purchase' WHEN 1 THEN 'add_to_cart' WHEN 2 THEN 'click' ELSE 'page_view' END AS event_type,
      'https://shop.example.com/products/' || ${str("i % 5000")} AS page_url,
      CASE WHEN i % 10 = 0 THEN CAST((i % 10000) / 100.0 AS DECIMAL(18,2)) END AS amount,
      CASE WHEN i % 200 = 7 THEN ${uuidOf(`'unknown' || ${str("i % 1000")}`)} ELSE u.user_id END AS user_id
    FROM ${series} LEFT JOIN ${d.quoteTable(picks)} AS u ON u.n = (i * 2654435761) % ${users}`;
  await engine.run(d.dropTable(input));
  await engine.run(
    `CREATE TABLE ${d.quoteTable(input)} AS SELECT event_id, ${dateKeySql(engine, "created_at")} AS date_key,
       ${timeKeySql(engine, "created_at", "minute")} AS time_key, session_id, event_type, page_url, amount, created_at, user_id
     FROM (${rows}) AS e`,
  );
  await engine.run(d.dropTable(picks));
  if (!duck) await engine.run(`ANALYZE ${d.quoteTable(input)}`);
}

/** The hand-written load (see the file comment); returns the rows inserted. */
export async function handLoad(engine: Engine, fact: FactModel, input: TableRef, days: readonly number[]) {
  const d = engine.dialect;
  const q = (c: string) => d.quoteIdent(c);
  const target = d.quoteTable(tableOf(fact));
  const key = fact.dimensionKeys[0]!;
  const dim = d.quoteTable(tableOf(key.dimension));
  const own = fact.columns.filter((c) => c.name !== key.column);
  const duck = engine.kind === "duckdb";
  // The row kept per event_id: the first by every other input column (text bytewise), as weir.
  const order = own
    .filter((c) => c.name !== "event_id")
    .map((c) => `${q(c.name)}${!duck && c.type === "varchar" ? ' COLLATE "C"' : ""} ASC NULLS LAST`)
    .join(", ");
  const loadable =
    "event_id IS NOT NULL AND created_at IS NOT NULL AND date_key IS NOT NULL AND time_key IS NOT NULL";
  const select = fact.columns.map((c) =>
    c.name === key.column ? `coalesce(v.user_key, -1)` : `f.${q(c.name)}`,
  );
  const insert = duck
    ? `INSERT INTO ${target} (${fact.columns.map((c) => q(c.name)).join(", ")})
       SELECT ${select.join(", ")}
       FROM (SELECT * FROM ${d.quoteTable(input)} WHERE ${loadable}
             QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ${order}) = 1) AS f
       ASOF LEFT JOIN (
         SELECT user_id, user_key,
           CASE WHEN row_number() OVER (PARTITION BY user_id ORDER BY effective_date, user_key) = 1
             THEN CAST(-9223372036854775807 AS BIGINT) ELSE epoch_us(CAST(effective_date AS TIMESTAMP)) END AS valid_from
         FROM ${dim} WHERE user_key <> -1) AS v
       ON f.user_id = v.user_id AND epoch_us(f.created_at) >= v.valid_from`
    : `INSERT INTO ${target} (${fact.columns.map((c) => q(c.name)).join(", ")})
       SELECT ${select.join(", ")}
       FROM (SELECT DISTINCT ON (event_id) * FROM ${d.quoteTable(input)} WHERE ${loadable} ORDER BY event_id, ${order}) AS f
       LEFT JOIN (
         SELECT user_id, user_key,
           CASE WHEN row_number() OVER w = 1 THEN CAST('-infinity' AS timestamptz)
             ELSE CAST(effective_date AS timestamp) AT TIME ZONE 'UTC' END AS valid_from,
           coalesce(lead(CAST(effective_date AS timestamp) AT TIME ZONE 'UTC') OVER w, CAST('infinity' AS timestamptz)) AS valid_to
         FROM ${dim} WHERE user_key <> -1
         WINDOW w AS (PARTITION BY user_id ORDER BY effective_date, user_key)) AS v
       ON f.user_id = v.user_id AND v.valid_from <= f.created_at AND f.created_at < v.valid_to`;
  return engine.transaction(async (tx) => {
    await tx.run(`DELETE FROM ${target} WHERE date_key IN (${days.join(", ")})`);
    return tx.run(insert);
  });
}

/** `rounds` rounds of weir's load and the hand load (alternating first), then a content check. */
export async function benchFactLoad(
  engine: Engine,
  weirFact: FactModel,
  handFact: FactModel,
  input: TableRef,
  events: number,
  options: { rounds: number; log: (line: string) => void },
): Promise<FactLoadTimes> {
  const [dayRows] = [
    await engine.query<{ k: unknown }>(
      `SELECT DISTINCT date_key AS k FROM ${engine.dialect.quoteTable(input)} ORDER BY 1`,
    ),
  ];
  const days = dayRows.map((r) => Number(r.k));
  /**
   * Both fact tables empty before each round (not timed): every round is a first load of
   * the days. (Replacing 10M loaded rows is dominated on DuckDB by the DELETE, which costs
   * both sides alike and several times the load itself.) The hand table gets its
   * partitions here; weir's load creates its own, as part of its work.
   */
  const reset = async () => {
    for (const f of [weirFact, handFact]) await engine.run(engine.dialect.dropTable(tableOf(f)));
    const dim = weirFact.dimensionKeys[0]!.dimension;
    await applyWarehouse(engine, defineWarehouse({ name: "bench_facts", tables: [dim, weirFact, handFact] }));
    await ensurePartitions(engine, tableDefinition(handFact, engine.kind), days);
  };
  const weir: number[] = [];
  const hand: number[] = [];
  let rows = 0;
  let unknown = 0;
  for (let round = 0; round < options.rounds; round++) {
    await reset();
    const runWeir = async () => {
      const t = await timed(() => loadFacts(engine, weirFact, input));
      weir.push(t.seconds);
      rows = t.value.rows;
      unknown = t.value.unknown.user_key ?? 0;
    };
    const runHand = async () => {
      const t = await timed(() => handLoad(engine, handFact, input, days));
      hand.push(t.seconds);
      if (t.value !== rows && rows !== 0) throw new Error(`hand load inserted ${t.value} rows, weir ${rows}`);
    };
    if (round % 2 === 0) {
      await runWeir();
      await runHand();
    } else {
      await runHand();
      await runWeir();
    }
    options.log(
      `  ${engine.kind} fact load round ${round + 1}: weir ${weir[round]!.toFixed(2)} s, hand ${hand[round]!.toFixed(2)} s (${rows} rows, ${unknown} unknown)`,
    );
  }
  const diff = await rowDifference(
    engine,
    tableOf(weirFact),
    tableOf(handFact),
    weirFact.columns.map((c) => c.name),
  );
  if (diff !== 0)
    throw new Error(`fact load on ${engine.kind}: weir's and the hand-written fact differ in ${diff} rows`);
  return { engine: engine.kind, events, weir, hand, rows, unknown };
}
