import { ConfigError } from "../core/errors.js";
import type { Field, TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import {
  compileExpectations,
  fromClause,
  groupScanSql,
  isSqlTarget,
  type Target,
} from "./compile-expectations.js";
import { runDistributionPass } from "./distribution-pass.js";
import { engineTypeNames } from "./engine-type-names.js";
import type { ExpectationConfig, ExpectationResult } from "./expectations/expectation.js";
import type { GroupOutput, Outcome, Quantiles } from "./expectations/expectation-definition.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { prepareExpectationSql } from "./expectations/prepare-engine.js";
import { runQueryCheck } from "./expectations/query-check.js";
import { groupOutput, mapEvidence } from "./expectations/read-results.js";
import { parseExpectation } from "./expectations/registry.js";
import { sqlCheckProblem } from "./expectations/user-sql.js";
import { findFirstRowsByBlockRange } from "./first-rows-by-block-range.js";
import { lookUpFirstRows } from "./first-rows-lookup.js";
import { groupPassSettings } from "./group-pass-settings.js";
import { substituteExpectationParameters } from "./resolve-suite-parameters.js";
import {
  DEFAULT_RESULT_FORMAT,
  parseResultFormat,
  type ResultFormat,
  type ResultFormatInput,
  unexpectedRowsWanted,
} from "./result-format.js";
import { checkRowConditions } from "./row-condition-check.js";
import { rowOrderSource } from "./row-order.js";
import { runMainScan } from "./run-main-scan.js";
import { listFailingRows, shapeResult } from "./shape-result.js";
import { runStreamPass } from "./stream-pass.js";
import { engineMessage, exceptionResult, rethrowIfTransient } from "./validation-errors.js";
import { summarizeResults, type ValidationResult } from "./validation-result.js";

export { failingRowPredicate } from "./expectations/failing-row-predicate.js";
export type { ValidationResult } from "./validation-result.js";

export interface ValidateOptions {
  /**
   * GX's `result_format` for the whole run: it overrides each expectation's own, as a
   * result format given to a GX checkpoint or validation run does. See `result-format.ts`.
   */
  resultFormat?: ResultFormatInput;
  /** The format of expectations without a `result_format` of their own; default SUMMARY. */
  suiteResultFormat?: ResultFormatInput;
  /** Unexpected values listed per expectation (`partial_unexpected_count` of the default format); default 20. */
  sampleSize?: number;
  /** Values for `{"$PARAMETER": …}` kwargs (GX's suite parameters, see `suite-parameters.ts`). */
  suiteParameters?: Record<string, unknown>;
  /** `now()` in suite parameter expressions; default the wall clock. */
  now?: Date;
}

/**
 * Runs expectations (GX names and semantics) against a table or a query, inside the engine.
 * Every count, statistic and first failing rows of map, aggregate and table expectations
 * comes from ONE scan; uniqueness and distinct-value expectations add one GROUP BY pass per
 * column (shared among them), medians and quantiles of integer columns one distribution pass
 * per column, and each SQL check runs its own query. A failing uniqueness expectation whose
 * result format lists rows reads its first failing rows in one more statement. `scans` in the
 * result says how many passes were made.
 *
 * Results follow GX's `result_format` (SUMMARY unless the run, the expectation or the suite
 * says otherwise): see `result-format.ts` and `format-result.ts`.
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
 * ], { resultFormat: { result_format: "COMPLETE", unexpected_index_column_names: ["customer_id"] } });
 * result.success; // false when any expectation failed
 */
export async function validateDataset(
  engine: Engine,
  target: TableRef | { sql: string },
  expectations: readonly ExpectationConfig[],
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const sampleSize = options.sampleSize;
  if (sampleSize !== undefined && (!Number.isInteger(sampleSize) || sampleSize < 0))
    throw new ConfigError(`validateDataset: sampleSize must be a whole number ≥ 0, got ${sampleSize}`);
  const run = options.resultFormat === undefined ? undefined : parseResultFormat(options.resultFormat);
  const suiteFormat =
    options.suiteResultFormat === undefined
      ? DEFAULT_RESULT_FORMAT
      : parseResultFormat(options.suiteResultFormat);
  const formats = {
    ...(run ? { resultFormat: run } : {}),
    suiteResultFormat:
      sampleSize === undefined ? suiteFormat : { ...suiteFormat, partial_unexpected_count: sampleSize },
  };
  if (isSqlTarget(target)) checkTargetQuery(target.sql);
  const given = substituteExpectationParameters(
    expectations,
    options.suiteParameters ?? {},
    options.now ?? new Date(),
  );
  const configs = given.map((raw, index) => parseExpectation(raw, `expectations[${index}]`));
  // The helper function is created (once) outside the read-only session.
  if (configs.some((c) => c.type === "expect_column_values_to_be_json_parseable"))
    await prepareExpectationSql(engine);
  return engine.readOnly((ro) => validateReadOnly(ro, target, configs, formats));
}

async function validateReadOnly(
  engine: Engine,
  target: Target,
  expectations: readonly ExpectationConfig[],
  formats: { resultFormat?: ResultFormat; suiteResultFormat: ResultFormat },
): Promise<ValidationResult> {
  const fields = await targetFields(engine, target);
  const order = await rowOrderSource(engine, target, fields);
  const suite = compileExpectations(engine, target, fields, expectations, {
    ...formats,
    rowOrder: order.sql,
  });

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
  await lookUpFirstRows(engine, suite, values);
  await findFirstRowsByBlockRange(engine, suite, values);

  const groupOutputs = new Map<number, GroupOutput>();
  for (const [g, group] of suite.groups.entries()) {
    const members = suite.items.filter((i) => i.group?.query === g && !failures.has(i.index));
    if (members.length === 0) continue;
    try {
      const sql = groupScanSql(engine, suite, group);
      const tuned = await groupPassSettings(
        engine,
        group,
        values.get(members[0]!.index) ?? {},
        main.rowCount,
      );
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

  const wantsTypes = suite.items.some((i) => i.plan?.plan === "schema" && i.plan.engineTypes);
  const types = wantsTypes ? await engineTypeNames(engine, suite.from, fields) : new Map<string, string>();

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
      if (plan.plan === "schema") outcome = plan.evaluate(fields, types);
      else if (plan.plan === "aggregate") outcome = plan.evaluate(values.get(item.index) ?? {});
      else if (plan.plan === "map") {
        const v = values.get(item.index) ?? {};
        const layout = v.sampleLayout === "rows" ? "rows" : EXPECTATION_SQL[engine.kind].firstRowsLayout;
        outcome = mapOutcomeOf(mapEvidence(plan, item, v, layout));
      } else if (plan.plan === "group") outcome = plan.evaluate(groupOutputs.get(item.index)!);
      else if (plan.plan === "distribution") outcome = plan.evaluate(quantiles.get(item.index)!);
      else if (plan.plan === "stream") {
        scans++;
        const keep = unexpectedRowsWanted(item.format);
        const index = item.format.unexpected_index_column_names;
        const rc = item.config.kwargs.row_condition;
        outcome = await runStreamPass(engine, suite.from, plan, rc, keep, index);
      } else {
        scans++;
        outcome = await runQueryCheck(
          engine,
          suite.from,
          plan.sql,
          item.config.kwargs.row_condition,
          item.format.partial_unexpected_count,
        );
        if (plan.reshape) outcome = plan.reshape(outcome);
      }
      // Uniqueness is decided by its GROUP BY pass; the rows that fail it take another pass
      // to list, made only when the expectation fails (not for duplicates `mostly` allows),
      // and only for as many rows as the result format lists.
      if (outcome.evidence && plan.plan === "group") {
        const found = !outcome.success && outcome.evidence.counts.unexpected > 0;
        const listed = found ? await listFailingRows(engine, suite, item, fields, target) : undefined;
        if (listed) scans++;
        Object.assign(outcome.evidence, listed ?? { values: [], index: [], rows: [] });
      }
      results.push(shapeResult(engine, suite, item, fields, target, outcome));
    } catch (error) {
      rethrowIfTransient(error);
      results.push(exceptionResult(item.config, engineMessage(error), error));
    }
  }
  return summarizeResults(results, main.rowCount, scans);
}

function mapOutcomeOf(evidence: NonNullable<Outcome["evidence"]>): Outcome {
  return { success: false, result: {}, evidence };
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

/** A query target is spliced in as a subquery, so it must be one query. */
function checkTargetQuery(sql: string): void {
  const problem = sqlCheckProblem(sql);
  if (problem !== undefined)
    throw new ConfigError(`the target query must be one SQL query (SELECT … or WITH …): ${problem}`, {
      details: { sql },
    });
}
