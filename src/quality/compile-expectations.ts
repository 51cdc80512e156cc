import { ConfigError, messageOf } from "../core/errors.js";
import type { Field, TableRef, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { addToDistribution, type DistributionQuery } from "./distribution-pass.js";
import { argumentTypeProblem } from "./expectations/argument-types.js";
import type { ExpectationConfig } from "./expectations/expectation.js";
import type { CompileContext, GroupPlan, Plan } from "./expectations/expectation-definition.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { expectationDefinition, parseExpectation } from "./expectations/registry.js";
import { type InternalNames, internalNames } from "./internal-names.js";
import { DEFAULT_RESULT_FORMAT, effectiveResultFormat, type ResultFormat } from "./result-format.js";
import { type RowCollection, rowCollection } from "./row-collection.js";
import { tableRowOrder } from "./row-order.js";

export { groupScanSql } from "./group-scan.js";
export { mainScanSql } from "./main-scan.js";

/**
 * Compiles expectations into as few statements as possible:
 * - the main scan: ONE `SELECT <aggregates> FROM target` holding every count, statistic and
 *   first failing rows of map, aggregate and table expectations (identical SQL computed
 *   once); window columns (increasing/decreasing) come from a subquery of the same scan;
 * - one GROUP BY pass per distinct (columns, filter) that uniqueness and distinct-value
 *   expectations need, shared between them;
 * - one distribution pass per (integer column, filter) that medians and quantiles need
 *   (see distribution-pass.ts);
 * - one statement per SQL check.
 * Schema expectations read the target's columns and no data.
 */

export type Target = TableRef | { sql: string };

/** One expectation, compiled (or the reason it cannot be). */
export interface CompiledExpectation {
  index: number;
  config: ExpectationConfig;
  plan?: Plan;
  /** Set when the expectation cannot be evaluated (unknown column, bad arguments). */
  error?: string;
  /** The result format it is reported in. */
  format: ResultFormat;
  /** For map plans: what of its first failing rows the main scan collects. */
  collect?: RowCollection;
  /** The plan reads the row order (increasing/decreasing without order_by). */
  usesRowOrder?: boolean;
  /** Main-scan aliases of the plan's selects (and a map plan's counts): local name → alias. */
  aliases: Record<string, string>;
  /** Window columns under the main scan: alias → window SQL. */
  windows: Record<string, string>;
  /** For group plans: which group query, and its stat aliases. */
  group?: { query: number; stats: Record<string, string> };
  /** For distribution plans: which distribution pass. */
  distribution?: number;
}

/** A GROUP BY pass shared by group plans with the same keys and filter. */
export interface GroupQuery {
  keys: { sql: string; type: WeirType | undefined }[];
  where: string | undefined;
  /** Aggregates over the groups: alias → SQL. */
  stats: Map<string, string>;
  duplicates: boolean;
  distinct: boolean;
  modes: boolean;
  /** Every plan reads only groups of more than one row (see GroupPlan.duplicatesOnly). */
  duplicatesOnly: boolean;
}

export interface CompiledSuite {
  /** The target as a FROM item. */
  from: string;
  items: CompiledExpectation[];
  groups: GroupQuery[];
  distributions: DistributionQuery[];
  sampleSize: number;
  /** Names of weir's own columns, clear of the target's. */
  names: InternalNames;
  /** How the target's rows are numbered in row order (`row-order.ts`). */
  rowOrder: string;
}

/** Formats the expectations are reported in, and how the rows are ordered. */
export interface CompileOptions {
  /** Given to the run: overrides every expectation's own (GX's runtime result_format). */
  resultFormat?: ResultFormat;
  /** The suite's, for expectations without their own. */
  suiteResultFormat?: ResultFormat;
  /** The row position over the target (`row-order.ts`); default `rowid`/`ctid` for a table. */
  rowOrder?: string;
}

const SOURCE_ALIAS = "weir_t";

export function isSqlTarget(target: Target): target is { sql: string } {
  return "sql" in target;
}

/** The target as a FROM item. */
export function fromClause(engine: Engine, target: Target): string {
  // The newline ends a comment the query may close with, so it cannot swallow weir's SQL.
  return isSqlTarget(target) ? `(${target.sql}\n) AS ${SOURCE_ALIAS}` : engine.dialect.quoteTable(target);
}

/**
 * A compile context for one expectation; `window` records window columns on `windows`
 * (inline in predicate mode unless `recordWindows`), and `rowOrder` is `options.rowOrder`
 * (calling `onRowOrder`) or, in predicate mode, the table's own row order.
 */
export function compileContext(
  engine: Engine,
  fields: readonly Field[] | undefined,
  target: "table" | "query",
  mode: "validate" | "predicate",
  rowCondition: string | undefined,
  windows: Record<string, string>,
  windowPrefix = "",
  options: {
    names?: InternalNames;
    rowOrder?: string;
    onRowOrder?: () => void;
    recordWindows?: boolean;
  } = {},
): CompileContext {
  const d = engine.dialect;
  const sql = EXPECTATION_SQL[engine.kind];
  const types = new Map(fields?.map((f) => [f.name, f.type]));
  const names = options.names ?? internalNames(fields?.map((f) => f.name) ?? []);
  return {
    engine: engine.kind,
    dialect: d,
    sql,
    mode,
    target,
    q: (name) => d.quoteIdent(name),
    lit: (value) => d.quoteLiteral(value),
    typeOf: (column) => types.get(column),
    rowCondition: rowCondition === undefined ? undefined : `COALESCE((${rowCondition}), FALSE)`,
    orderKey: (value, type) => (type === "varchar" ? sql.binaryOrder(value) : value),
    window: (windowSql) => {
      if (mode === "predicate" && !options.recordWindows) return windowSql;
      const alias = names.column(`w${windowPrefix}_${Object.keys(windows).length}`);
      windows[alias] = windowSql;
      return d.quoteIdent(alias);
    },
    rowOrder: () => {
      options.onRowOrder?.();
      return options.rowOrder ?? tableRowOrder(engine, fields, "a row order");
    },
  };
}

/** Compiles every expectation against the target's columns; problems become per-expectation errors. */
export function compileExpectations(
  engine: Engine,
  target: Target,
  fields: readonly Field[],
  expectations: readonly ExpectationConfig[],
  options: CompileOptions | number = {},
): CompiledSuite {
  // A number is the old `sampleSize` argument: SUMMARY with that many partial values.
  const opts: CompileOptions =
    typeof options === "number"
      ? { suiteResultFormat: { ...DEFAULT_RESULT_FORMAT, partial_unexpected_count: options } }
      : options;
  const names = internalNames(fields.map((f) => f.name));
  const fieldNames = new Set(fields.map((f) => f.name));
  const rowName = engine.dialect.quoteIdent(names.column("row"));
  const groups: GroupQuery[] = [];
  const groupIndex = new Map<string, number>();
  // Invalid configurations are the caller's error and stop everything; what depends on the
  // data (a missing column, SQL the engine rejects) fails only its own expectation.
  const configs = expectations.map((raw, index) => parseExpectation(raw, `expectations[${index}]`));
  const types = new Map(fields.map((f) => [f.name, f.type]));
  for (const [index, config] of configs.entries()) {
    const wrong = argumentTypeProblem(config, (column) => types.get(column));
    if (wrong === undefined) continue;
    throw new ConfigError(
      `expectations[${index}] (${config.type}): invalid arguments:\n  ${wrong.argument}: ${wrong.message}`,
      { details: { expectation: index, type: config.type, argument: wrong.argument } },
    );
  }
  const items = configs.map((config, index): CompiledExpectation => {
    const format = effectiveResultFormat(
      opts.resultFormat,
      config.kwargs.result_format,
      opts.suiteResultFormat,
    );
    const item: CompiledExpectation = { index, config, format, aliases: {}, windows: {} };
    try {
      const definition = expectationDefinition(config.type)!;
      const wanted = [
        ...definition.columns(config.kwargs as never),
        ...(format.unexpected_index_column_names ?? []),
      ];
      const missing = [...new Set(wanted)].filter((c) => !fieldNames.has(c));
      if (missing.length > 0) {
        item.error = `column${missing.length > 1 ? "s" : ""} ${missing.map((c) => JSON.stringify(c)).join(", ")} not found in the dataset (columns: ${[...fieldNames].join(", ")})`;
        return item;
      }
      const rc = config.kwargs.row_condition as string | undefined;
      const kind = isSqlTarget(target) ? "query" : "table";
      const ctx = compileContext(engine, fields, kind, "validate", rc, item.windows, String(index), {
        names,
        rowOrder: rowName,
        onRowOrder: () => {
          item.usesRowOrder = true;
        },
      });
      if (!isSqlTarget(target)) ctx.table = target;
      item.plan = definition.compile(config.kwargs as never, ctx);
      if (item.plan.plan === "map")
        item.collect = rowCollection(item.plan, format, config.kwargs, fields, (c) => ctx.q(c));
    } catch (error) {
      item.error = messageOf(error);
    }
    return item;
  });
  // A group plan with an aggregate fallback joins a GROUP BY pass only when another plan
  // needs that pass anyway; alone, its main-scan aggregate saves a scan.
  const needed = new Set(
    items.flatMap((i) => (i.plan?.plan === "group" && !i.plan.fallback ? [groupKeyOf(i.plan)] : [])),
  );
  const distributions: DistributionQuery[] = [];
  const distributionIndex = new Map<string, number>();
  for (const item of items) {
    const plan = item.plan;
    if (plan?.plan === "distribution")
      item.distribution = addToDistribution(plan, distributions, distributionIndex);
    if (plan?.plan !== "group") continue;
    if (plan.fallback && !needed.has(groupKeyOf(plan))) item.plan = plan.fallback;
    else item.group = addToGroup(plan, item.index, groups, groupIndex);
  }
  const sampleSize = Math.max(1, ...items.map((i) => i.format.partial_unexpected_count));
  const rowOrder =
    opts.rowOrder ??
    (isSqlTarget(target) ? "row_number() OVER ()" : EXPECTATION_SQL[engine.kind].naturalOrder);
  return { from: fromClause(engine, target), items, groups, distributions, sampleSize, names, rowOrder };
}

function groupKeyOf(plan: GroupPlan): string {
  return JSON.stringify([plan.keys.map((k) => k.sql), plan.where ?? null]);
}

function addToGroup(
  plan: GroupPlan,
  index: number,
  groups: GroupQuery[],
  groupIndex: Map<string, number>,
): NonNullable<CompiledExpectation["group"]> {
  const key = groupKeyOf(plan);
  let g = groupIndex.get(key);
  if (g === undefined) {
    g = groups.length;
    groupIndex.set(key, g);
    groups.push({
      keys: plan.keys.map((k) => ({ sql: k.sql, type: k.type })),
      where: plan.where,
      stats: new Map(),
      duplicates: false,
      distinct: false,
      modes: false,
      duplicatesOnly: true,
    });
  }
  const query = groups[g]!;
  query.duplicatesOnly &&= plan.duplicatesOnly === true;
  query.duplicates ||= plan.duplicates === true;
  query.distinct ||= plan.distinct === true;
  query.modes ||= plan.modes === true;
  const stats: Record<string, string> = {};
  for (const [name, sql] of Object.entries(plan.stats))
    stats[name] = share(query.stats, sql, `s${index}_${name}`);
  return { query: g, stats };
}

/** Registers `sql` under a new alias unless identical SQL is already there; returns its alias. */
function share(map: Map<string, string>, sql: string, alias: string): string {
  for (const [existing, existingSql] of map) if (existingSql === sql) return existing;
  map.set(alias, sql);
  return alias;
}

/** The row condition an item's plan was compiled with, normalised as in the compile context. */
export function rowConditionOf(item: CompiledExpectation): string | undefined {
  const rc = item.config.kwargs.row_condition;
  return typeof rc === "string" ? `COALESCE((${rc}), FALSE)` : undefined;
}

export function and(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined);
  return present.length === 0 ? undefined : present.join(" AND ");
}

export function countWhere(condition: string | undefined): string {
  return condition === undefined ? "count(*)" : `count(*) FILTER (WHERE ${condition})`;
}
