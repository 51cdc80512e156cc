import { ConfigError, messageOf, WeirError } from "../core/errors.js";
import type { Field, TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import {
  type CompiledExpectation,
  type CompiledSuite,
  compileExpectations,
  fromClause,
  groupScanSql,
  isSqlTarget,
  mainScanSql,
  type Target,
} from "./compile-expectations.js";
import { denseKeySettings } from "./dense-key-grouping.js";
import { runDistributionPass } from "./distribution-pass.js";
import type { ExpectationConfig, ExpectationResult } from "./expectations/expectation.js";
import type { GroupOutput, Outcome, Quantiles } from "./expectations/expectation-definition.js";
import { prepareExpectationSql } from "./expectations/prepare-engine.js";
import { runQueryCheck } from "./expectations/query-check.js";
import { groupOutput, mapResult, pick } from "./expectations/read-results.js";
import { parseExpectation } from "./expectations/registry.js";
import { toCount } from "./expectations/result-values.js";
import { sqlCheckProblem } from "./expectations/user-sql.js";
import { checkRowConditions } from "./row-condition-check.js";
import { summarizeResults, type ValidationResult } from "./validation-result.js";

export { failingRowPredicate } from "./expectations/failing-row-predicate.js";
export type { ValidationResult } from "./validation-result.js";

export interface ValidateOptions {
  /** Unexpected values listed per expectation (`partial_unexpected_list`); default 20. */
  sampleSize?: number;
}

/**
 * Runs expectations (GX names and semantics) against a table or a query, inside the engine.
 * Every count, statistic and unexpected-value sample of map, aggregate and table
 * expectations comes from ONE scan; uniqueness and distinct-value expectations add one
 * GROUP BY pass per column (shared among them), medians and quantiles of integer columns
 * one distribution pass per column, and each SQL check runs its own query.
 * `scans` in the result says how many passes were made.
 *
 * Invalid expectations throw a `ConfigError` before anything runs (a bound whose type
 * does not fit its column's once the columns are known, too); an expectation the data makes
 * impossible (a missing column, SQL the engine rejects) fails alone with `exception_info`,
 * and the others are still evaluated.
 *
 * Everything runs in one read-only session (`Engine.readOnly`): a suite's SQL cannot write,
 * and each call runs one statement.
 *
 * @example
 * const result = await validateDataset(engine, { schema: "staging", name: "customers" }, [
 *   { type: "expect_column_values_to_not_be_null", kwargs: { column: "customer_id" } },
 *   { type: "expect_column_values_to_be_between", kwargs: { column: "age", min_value: 13, max_value: 120, mostly: 0.99 } },
 * ]);
 * result.success; // false when any expectation failed
 */
export async function validateDataset(
  engine: Engine,
  target: TableRef | { sql: string },
  expectations: readonly ExpectationConfig[],
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const sampleSize = options.sampleSize ?? 20;
  if (!Number.isInteger(sampleSize) || sampleSize < 0)
    throw new ConfigError(`validateDataset: sampleSize must be a whole number ≥ 0, got ${sampleSize}`);
  if (isSqlTarget(target)) checkTargetQuery(target.sql);
  const configs = expectations.map((raw, index) => parseExpectation(raw, `expectations[${index}]`));
  // The helper function is created (once) outside the read-only session.
  if (configs.some((c) => c.type === "expect_column_values_to_be_json_parseable"))
    await prepareExpectationSql(engine);
  return engine.readOnly((ro) => validateReadOnly(ro, target, configs, sampleSize));
}

async function validateReadOnly(
  engine: Engine,
  target: Target,
  expectations: readonly ExpectationConfig[],
  sampleSize: number,
): Promise<ValidationResult> {
  const fields = await targetFields(engine, target);
  const suite = compileExpectations(engine, target, fields, expectations, Math.max(sampleSize, 1));

  const failures = new Map<number, string>();
  for (const [index, error] of await checkRowConditions(engine, suite)) {
    rethrowIfTransient(error);
    failures.set(
      index,
      `row_condition is not a boolean expression over the dataset: ${engineMessage(error)}`,
    );
  }
  const values = new Map<number, Record<string, unknown>>();
  const main = await runMainScan(engine, suite, values, failures);
  let scans = main.scans;

  const groupOutputs = new Map<number, GroupOutput>();
  for (const [g, group] of suite.groups.entries()) {
    const members = suite.items.filter((i) => i.group?.query === g && !failures.has(i.index));
    if (members.length === 0) continue;
    try {
      const sql = groupScanSql(engine, suite, group);
      const tuned = await denseKeySettings(engine, values.get(members[0]!.index) ?? {}, main.rowCount);
      const [row] = tuned ? await engine.queryWithSettings!(tuned, sql) : await engine.query(sql);
      scans++;
      for (const item of members)
        groupOutputs.set(item.index, groupOutput(row ?? {}, item, values.get(item.index) ?? {}, suite));
    } catch (error) {
      rethrowIfTransient(error);
      for (const item of members) failures.set(item.index, engineMessage(error));
    }
  }

  const quantiles = new Map<number, Quantiles>();
  for (const [d, query] of suite.distributions.entries()) {
    const members = suite.items.filter((i) => i.distribution === d && !failures.has(i.index));
    if (members.length === 0) continue;
    try {
      const range = values.get(members[0]!.index) ?? {};
      const pass = await runDistributionPass(engine, suite.from, query, range);
      if (pass.scanned) scans++;
      for (const item of members) quantiles.set(item.index, pass.quantiles);
    } catch (error) {
      rethrowIfTransient(error);
      for (const item of members) failures.set(item.index, engineMessage(error));
    }
  }

  const results: ExpectationResult[] = [];
  for (const item of suite.items) {
    const failure = item.error ?? failures.get(item.index);
    if (failure !== undefined || !item.plan) {
      results.push(exceptionResult(item.config, failure ?? "not compiled"));
      continue;
    }
    try {
      let outcome: Outcome;
      const plan = item.plan;
      if (plan.plan === "schema") outcome = plan.evaluate(fields);
      else if (plan.plan === "aggregate") outcome = plan.evaluate(values.get(item.index) ?? {});
      else if (plan.plan === "map") outcome = mapResult(plan, values.get(item.index) ?? {}, sampleSize);
      else if (plan.plan === "group") outcome = plan.evaluate(groupOutputs.get(item.index)!);
      else if (plan.plan === "distribution") outcome = plan.evaluate(quantiles.get(item.index)!);
      else {
        scans++;
        outcome = await runQueryCheck(
          engine,
          suite.from,
          plan.sql,
          item.config.kwargs.row_condition,
          sampleSize,
        );
      }
      results.push({ expectation: item.config, success: outcome.success, result: jsonSafe(outcome.result) });
    } catch (error) {
      rethrowIfTransient(error);
      results.push(exceptionResult(item.config, engineMessage(error)));
    }
  }
  return summarizeResults(results, main.rowCount, scans);
}

/** The target's columns and logical types; a query is asked for its shape with LIMIT 0. */
async function targetFields(engine: Engine, target: Target): Promise<Field[]> {
  if (!isSqlTarget(target)) {
    const schema = await engine.describe(target);
    if (!schema) {
      throw new ConfigError(`cannot validate ${tableLabel(target)}: the table does not exist`, {
        details: { table: tableLabel(target) },
      });
    }
    return schema.fields;
  }
  for await (const batch of engine.stream(`SELECT * FROM ${fromClause(engine, target)} LIMIT 0`))
    return batch.schema.fields;
  return [];
}

/**
 * The main scan. When the engine rejects it, each expectation is planned alone on zero
 * rows to find the ones at fault, and the scan is run again without them; a failure that
 * only shows on real rows falls back to one scan per expectation.
 */
async function runMainScan(
  engine: Engine,
  suite: CompiledSuite,
  values: Map<number, Record<string, unknown>>,
  failures: Map<number, string>,
): Promise<{ rowCount: number; scans: number }> {
  const live = suite.items.filter(
    (i) => i.plan && i.plan.plan !== "schema" && i.plan.plan !== "query" && !failures.has(i.index),
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

/** A query target is spliced in as a subquery, so it must be one query. */
function checkTargetQuery(sql: string): void {
  const problem = sqlCheckProblem(sql);
  if (problem !== undefined)
    throw new ConfigError(`the target query must be one SQL query (SELECT … or WITH …): ${problem}`, {
      details: { sql },
    });
}

function exceptionResult(config: ExpectationConfig, message: string): ExpectationResult {
  return {
    expectation: config,
    success: false,
    result: {},
    exception_info: { raised_exception: true, exception_message: message },
  };
}

/** Connection losses and the like are not the expectation's fault: they abort the validation. */
function rethrowIfTransient(error: unknown): void {
  if (error instanceof WeirError && error.retryable) throw error;
}

/** The engine's own message, without the statement weir's wrapper appends. */
function engineMessage(error: unknown): string {
  const cause = error instanceof WeirError && error.cause !== undefined ? error.cause : error;
  return messageOf(cause);
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
