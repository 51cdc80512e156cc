import type { Engine } from "../engines/engine.js";
import type { DistributionPlan, Quantiles, SampleValue } from "./expectations/expectation-definition.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { NO_VALUES, quantilesFromAggregates, quantilesFromCounts } from "./expectations/quantiles.js";
import { toBigInt, toCount, toNumber } from "./expectations/result-values.js";

/**
 * The pass that answers distribution plans (quantiles and medians of integer columns),
 * run after the main scan, one per (column, filter).
 *
 * Exact quantiles need every value: inside the main scan the engine's quantile aggregates
 * would copy and sort all of them, as costly as the rest of the scan together. An integer
 * column whose min and max (from the main scan) lie close together has few distinct
 * values, so this pass groups it instead — a cheap GROUP BY of one column — and computes
 * the quantiles in JS from the value counts exactly as the engine would. A wide range
 * falls back to the engine's quantile aggregates over that one column.
 */

/** A distribution pass: the quantiles every plan on one column and filter needs. */
export interface DistributionQuery {
  column: SampleValue;
  where: string | undefined;
  discrete: number[];
  continuous: number[];
}

/** Widest max − min read as value counts: at most this many groups come back to JS. */
export const VALUE_COUNT_RANGE = 65_536n;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Adds a plan's needs to its pass (shared by plans with the same column and filter); returns the pass's index. */
export function addToDistribution(
  plan: DistributionPlan,
  queries: DistributionQuery[],
  index: Map<string, number>,
): number {
  const key = JSON.stringify([plan.column.sql, plan.where ?? null]);
  let i = index.get(key);
  if (i === undefined) {
    i = queries.length;
    index.set(key, i);
    queries.push({ column: plan.column, where: plan.where, discrete: [], continuous: [] });
  }
  const query = queries[i]!;
  for (const q of plan.discrete) if (!query.discrete.includes(q)) query.discrete.push(q);
  for (const q of plan.continuous) if (!query.continuous.includes(q)) query.continuous.push(q);
  return i;
}

/** The main-scan aggregates a pass chooses its method from: the column's min and max over all rows. */
export function rangeSelects(plan: DistributionPlan): { lo: string; hi: string } {
  return { lo: `min(${plan.column.sql})`, hi: `max(${plan.column.sql})` };
}

/** `SELECT value, count(*) … GROUP BY value ORDER BY value` over the pass's rows. */
export function valueCountsSql(from: string, query: DistributionQuery): string {
  const col = query.column.sql;
  const where = [query.where, `${col} IS NOT NULL`].filter(Boolean).join(" AND ");
  return `SELECT ${col} AS "weir_v", count(*) AS "weir_n" FROM ${from} WHERE ${where} GROUP BY 1 ORDER BY 1`;
}

/** One row: the count of values, the discrete quantiles as JSON and each continuous quantile. */
export function quantileAggregatesSql(engine: Engine, from: string, query: DistributionQuery): string {
  const sql = EXPECTATION_SQL[engine.kind];
  const col = query.column.sql;
  const filter = query.where === undefined ? "" : ` FILTER (WHERE ${query.where})`;
  const selects = [`count(${col})${filter} AS "weir_count"`];
  if (query.discrete.length > 0)
    selects.push(`${sql.quantilesDiscJson(col, query.discrete, query.where)} AS "weir_disc"`);
  query.continuous.forEach((q, i) => {
    selects.push(`${sql.quantileCont(col, q, query.where)} AS "weir_cont${i}"`);
  });
  return `SELECT ${selects.join(", ")} FROM ${from}`;
}

/** How the pass will run for the main scan's min and max: not at all, by value counts, or by aggregates. */
export function distributionMethod(range: { lo?: unknown; hi?: unknown }): "none" | "counts" | "aggregates" {
  const lo = toBigInt(range.lo ?? null);
  const hi = toBigInt(range.hi ?? null);
  if (lo === null || hi === null) return "none"; // no non-NULL value at all
  const safe = -MAX_SAFE <= lo && hi <= MAX_SAFE;
  return safe && hi - lo < VALUE_COUNT_RANGE ? "counts" : "aggregates";
}

/** Runs the pass; `scanned` says whether it read the data. */
export async function runDistributionPass(
  engine: Engine,
  from: string,
  query: DistributionQuery,
  range: { lo?: unknown; hi?: unknown },
): Promise<{ quantiles: Quantiles; scanned: boolean }> {
  const method = distributionMethod(range);
  if (method === "none") return { quantiles: NO_VALUES, scanned: false };
  if (method === "counts") {
    const rows = await engine.query(valueCountsSql(from, query));
    const values = rows.map((r) => toNumber(r.weir_v)!);
    const counts = rows.map((r) => toCount(r.weir_n));
    return { quantiles: quantilesFromCounts(values, counts, engine.kind), scanned: true };
  }
  const [row = {}] = await engine.query(quantileAggregatesSql(engine, from, query));
  const list = row.weir_disc == null ? [] : (JSON.parse(String(row.weir_disc)) as unknown[]);
  const discrete = new Map(query.discrete.map((q, i) => [q, toNumber(list[i] ?? null)]));
  const continuous = new Map(query.continuous.map((q, i) => [q, toNumber(row[`weir_cont${i}`] ?? null)]));
  return {
    quantiles: quantilesFromAggregates(toCount(row.weir_count), discrete, continuous),
    scanned: true,
  };
}
