import type { Engine } from "../engines/engine.js";
import type { CompiledExpectation, CompiledSuite } from "./compile-expectations.js";
import { pick } from "./expectations/read-results.js";
import { toCount } from "./expectations/result-values.js";
import { mainScanSql } from "./main-scan.js";
import { engineMessage, rethrowIfTransient } from "./validation-errors.js";

/**
 * The main scan. When the engine rejects it, each expectation is planned alone on zero
 * rows to find the ones at fault, and the scan is run again without them; a failure that
 * only shows on real rows falls back to one scan per expectation.
 */
export async function runMainScan(
  engine: Engine,
  suite: CompiledSuite,
  values: Map<number, Record<string, unknown>>,
  failures: Map<number, string>,
): Promise<{ rowCount: number; scans: number }> {
  const live = suite.items.filter(
    (i) =>
      i.plan &&
      i.plan.plan !== "schema" &&
      i.plan.plan !== "query" &&
      i.plan.plan !== "stream" &&
      !failures.has(i.index),
  );
  const run = async (items: readonly CompiledExpectation[]) => {
    const [row] = await engine.query(mainScanSql(engine, suite, items));
    for (const item of items) values.set(item.index, pick(row ?? {}, item.aliases));
    return toCount(row?.rows);
  };
  try {
    return { rowCount: await run(live), scans: 1 };
  } catch (error) {
    rethrowIfTransient(error);
  }
  const ok: CompiledExpectation[] = [];
  for (const item of live) {
    try {
      await engine.query(mainScanSql(engine, suite, [item], true));
      ok.push(item);
    } catch (error) {
      rethrowIfTransient(error);
      failures.set(item.index, engineMessage(error));
    }
  }
  try {
    return { rowCount: await run(ok), scans: 1 };
  } catch (error) {
    rethrowIfTransient(error);
  }
  let rowCount = 0;
  for (const item of ok) {
    try {
      rowCount = await run([item]);
    } catch (error) {
      rethrowIfTransient(error);
      failures.set(item.index, engineMessage(error));
    }
  }
  if (ok.length === 0 || ok.every((i) => failures.has(i.index))) rowCount = await run([]);
  return { rowCount, scans: 1 + ok.length };
}
