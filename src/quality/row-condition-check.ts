import type { Engine } from "../engines/engine.js";
import type { CompiledSuite } from "./compile-expectations.js";

/**
 * Has the engine read each distinct `row_condition` of a suite as one boolean expression
 * over the target before any scan uses it: `SELECT CAST((<condition>) AS BOOLEAN) FROM
 * <target> LIMIT 0` is planned but reads no row. The text already passed `user-sql.ts`
 * (one expression, parentheses balanced); here the engine's parser and binder check the
 * rest — its columns exist and it is a boolean. Returns, by expectation index, the error
 * of each expectation whose condition the engine rejected.
 *
 * @example
 * const rejected = await checkRowConditions(engine, suite); // Map { 2 => EngineError(…no_such_column…) }
 */
export async function checkRowConditions(
  engine: Engine,
  suite: CompiledSuite,
): Promise<Map<number, unknown>> {
  const byCondition = new Map<string, number[]>();
  for (const item of suite.items) {
    const condition = item.config.kwargs.row_condition;
    if (typeof condition !== "string" || item.plan === undefined) continue;
    byCondition.set(condition, [...(byCondition.get(condition) ?? []), item.index]);
  }
  const rejected = new Map<number, unknown>();
  for (const [condition, indexes] of byCondition) {
    try {
      await engine.query(
        `SELECT CAST((${condition}) AS BOOLEAN) AS weir_condition FROM ${suite.from} LIMIT 0`,
      );
    } catch (error) {
      for (const index of indexes) rejected.set(index, error);
    }
  }
  return rejected;
}
