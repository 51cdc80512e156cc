import type { Field } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import {
  type CompiledExpectation,
  type CompiledSuite,
  isSqlTarget,
  type Target,
} from "./compile-expectations.js";
import type { ExpectationResult } from "./expectations/expectation.js";
import type { Outcome } from "./expectations/expectation-definition.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { firstFailingRowsSql, unexpectedIndexQuery } from "./failing-rows.js";
import { formatMapResult, formatOtherResult } from "./format-result.js";
import { unexpectedRowsWanted } from "./result-format.js";
import { readCollection } from "./row-collection.js";

/**
 * The last steps of an expectation's result: the failing rows of one decided outside the
 * main scan, and the result shaped by its result format, safe for JSON.
 */

/** The first failing rows of a map-kind expectation decided outside the main scan (uniqueness). */
export async function listFailingRows(
  engine: Engine,
  suite: CompiledSuite,
  item: CompiledExpectation,
  fields: readonly Field[],
  target: Target,
): Promise<Pick<NonNullable<Outcome["evidence"]>, "values" | "index" | "rows"> | undefined> {
  if (unexpectedRowsWanted(item.format) === 0) return undefined;
  const query = firstFailingRowsSql(engine, suite, item, fields, isSqlTarget(target) ? "query" : "table");
  if (!query) return undefined;
  const [row] = await engine.query(query.sql);
  const layout = EXPECTATION_SQL[engine.kind].firstRowsLayout;
  return readCollection(row?.weir_rows ?? null, query.collect, query.collect.n, layout);
}

/** The expectation's result in its result format, safe for JSON. */
export function shapeResult(
  engine: Engine,
  suite: CompiledSuite,
  item: CompiledExpectation,
  fields: readonly Field[],
  target: Target,
  outcome: Outcome,
): ExpectationResult {
  if (!outcome.evidence) {
    return {
      expectation: item.config,
      success: outcome.success,
      result: jsonSafe(formatOtherResult(outcome.result, item.format)),
    };
  }
  const wantsQuery = item.format.result_format === "COMPLETE" && item.format.return_unexpected_index_query;
  const query = wantsQuery ? unexpectedIndexQuery(engine, suite, item, fields, target) : undefined;
  const formatted = formatMapResult(
    outcome.evidence,
    item.format,
    query === undefined ? {} : { unexpectedIndexQuery: query },
  );
  return { expectation: item.config, success: formatted.success, result: jsonSafe(formatted.result) };
}

/** Results are stored as JSON: integers beyond 2^53 become text, bytes become hex. */
function jsonSafe<T>(value: T): T {
  if (typeof value === "bigint") return value.toString() as T;
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}` as T;
  if (Array.isArray(value)) return value.map(jsonSafe) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)])) as T;
  return value;
}
