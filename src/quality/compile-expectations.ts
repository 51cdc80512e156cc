import { ConfigError, messageOf } from "../core/errors.js";
import type { Field, TableRef, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { denseKeyCandidate, keyRangeSelects } from "./dense-key-grouping.js";
import { addToDistribution, type DistributionQuery, rangeSelects } from "./distribution-pass.js";
import { argumentTypeProblem } from "./expectations/argument-types.js";
import type { ExpectationConfig } from "./expectations/expectation.js";
import type { CompileContext, GroupPlan, Plan } from "./expectations/expectation-definition.js";
import {
  groupCount,
  groupKey,
  groupMax,
  MAX_OBSERVED_VALUES,
} from "./expectations/expectation-definition.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { expectationDefinition, parseExpectation } from "./expectations/registry.js";

/**
 * Compiles expectations into as few statements as possible:
 * - the main scan: ONE `SELECT <aggregates> FROM target` holding every count, statistic and
 *   unexpected-value sample of map, aggregate and table expectations (identical SQL computed
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

/** A compile context for one expectation; `window` records window columns on `windows`. */
export function compileContext(
  engine: Engine,
  fields: readonly Field[] | undefined,
  target: "table" | "query",
  mode: "validate" | "predicate",
  rowCondition: string | undefined,
  windows: Record<string, string>,
  windowPrefix = "",
): CompileContext {
  const d = engine.dialect;
  const sql = EXPECTATION_SQL[engine.kind];
  const types = new Map(fields?.map((f) => [f.name, f.type]));
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
      if (mode === "predicate") return windowSql;
      const alias = `weir_w${windowPrefix}_${Object.keys(windows).length}`;
      windows[alias] = windowSql;
      return d.quoteIdent(alias);
    },
  };
}

/** Compiles every expectation against the target's columns; problems become per-expectation errors. */
export function compileExpectations(
  engine: Engine,
  target: Target,
  fields: readonly Field[],
  expectations: readonly ExpectationConfig[],
  sampleSize: number,
): CompiledSuite {
  const names = new Set(fields.map((f) => f.name));
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
    const item: CompiledExpectation = { index, config, aliases: {}, windows: {} };
    try {
      const definition = expectationDefinition(config.type)!;
      const missing = definition.columns(config.kwargs as never).filter((c) => !names.has(c));
      if (missing.length > 0) {
        item.error = `column${missing.length > 1 ? "s" : ""} ${missing.map((c) => JSON.stringify(c)).join(", ")} not found in the dataset (columns: ${[...names].join(", ")})`;
        return item;
      }
      const rc = config.kwargs.row_condition as string | undefined;
      const kind = isSqlTarget(target) ? "query" : "table";
      const ctx = compileContext(engine, fields, kind, "validate", rc, item.windows, String(index));
      item.plan = definition.compile(config.kwargs as never, ctx);
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
  return { from: fromClause(engine, target), items, groups, distributions, sampleSize };
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

/**
 * The main scan over `items` (which it annotates with their aliases). Each map
 * expectation's failing-row test is computed once per row, as a boolean column of a
 * subquery, which its count and its sample then filter on. With `probe`, the target is
 * replaced by zero of its rows: the statement is planned (so unknown columns and type
 * errors surface) but reads nothing.
 */
export function mainScanSql(
  engine: Engine,
  suite: CompiledSuite,
  items: readonly CompiledExpectation[],
  probe = false,
): string {
  const d = engine.dialect;
  const sql = EXPECTATION_SQL[engine.kind];
  const selects = new Map<string, string>([["count(*)", "rows"]]);
  const alias = (expr: string) => {
    let a = selects.get(expr);
    if (a === undefined) {
      a = `a${selects.size}`;
      selects.set(expr, a);
    }
    return a;
  };
  const flags = new Map<string, string>();
  const flag = (condition: string) => {
    let f = flags.get(condition);
    if (f === undefined) {
      f = d.quoteIdent(`weir_f${flags.size}`);
      flags.set(condition, f);
    }
    return f;
  };
  const windows: string[] = [];
  for (const item of items) {
    const plan = item.plan;
    if (!plan) continue;
    item.aliases = {};
    for (const [name, windowSql] of Object.entries(item.windows))
      windows.push(`${windowSql} AS ${d.quoteIdent(name)}`);
    const rc = rowConditionOf(item);
    if (plan.plan === "map") {
      // FILTER counts only rows where the condition is TRUE, so a NULL test result never counts.
      const failingSql = and(
        rc,
        plan.missing === undefined ? undefined : `NOT (${plan.missing})`,
        plan.unexpected,
      )!;
      const plain = rc === undefined ? plan.plainCounts : undefined;
      item.aliases.element = alias(countWhere(rc));
      if (plan.missing !== undefined)
        item.aliases.missing = alias(plain?.missing ?? countWhere(and(rc, plan.missing)));
      item.aliases.unexpected = alias(plain?.unexpected ?? countWhere(flag(failingSql)));
      if (plan.sample.length > 0) {
        const values = plan.sample.map((s) => s.sql);
        const keys = plan.sample.map((s) => (s.type === "varchar" ? sql.binaryOrder(s.sql) : s.sql));
        item.aliases.sample = alias(sql.firstValuesJson(values, keys, flag(failingSql), suite.sampleSize));
      }
    } else if (plan.plan === "aggregate" || plan.plan === "group" || plan.plan === "distribution") {
      let selects: Record<string, string>;
      if (plan.plan === "aggregate") selects = plan.selects;
      else if (plan.plan === "distribution") selects = rangeSelects(plan);
      else {
        const group = item.group ? suite.groups[item.group.query] : undefined;
        const dense = group !== undefined && denseKeyCandidate(engine, group);
        selects = { ...plan.selects, ...(dense ? keyRangeSelects(group) : {}) };
      }
      for (const [name, expr] of Object.entries(selects)) item.aliases[name] = alias(expr);
    }
  }
  let from = suite.from;
  if (probe) from = `(SELECT * FROM ${from} LIMIT 0) AS weir_probe`;
  if (windows.length > 0) from = `(SELECT *, ${windows.join(", ")} FROM ${from}) AS weir_windowed`;
  if (flags.size > 0) {
    const columns = [...flags].map(([condition, f]) => `${condition} AS ${f}`).join(",\n    ");
    from = `(SELECT *,\n    ${columns}\n  FROM ${from}${sql.fence}) AS weir_flagged`;
  }
  const list = [...selects].map(([expr, a]) => `${expr} AS ${d.quoteIdent(a)}`).join(",\n  ");
  return `SELECT\n  ${list}\nFROM ${from}`;
}

/** The row condition an item's plan was compiled with, normalised as in the compile context. */
function rowConditionOf(item: CompiledExpectation): string | undefined {
  const rc = item.config.kwargs.row_condition;
  return typeof rc === "string" ? `COALESCE((${rc}), FALSE)` : undefined;
}

/**
 * One statement for a GROUP BY pass: one row of aggregates over the groups — the plans'
 * statistics and, as JSON, the first duplicated groups, the first distinct keys and the most
 * frequent keys, each row as [key texts…, count]. A pass whose plans read only duplicated
 * groups keeps only those (HAVING), so millions of unique keys are never aggregated again.
 * Keys sort by value (text by code point) so both engines list the same ones; the groups
 * stream through the aggregate, never stored.
 */
export function groupScanSql(engine: Engine, suite: CompiledSuite, group: GroupQuery): string {
  const d = engine.dialect;
  const sql = EXPECTATION_SQL[engine.kind];
  const keyCols = group.keys.map((_, i) => groupKey(i));
  const order = group.keys.map((k, i) => (k.type === "varchar" ? sql.binaryOrder(groupKey(i)) : groupKey(i)));
  const rows = (filter: string, n: number) => sql.firstValuesJson([...keyCols, groupCount], order, filter, n);
  const selects = [
    `count(*) AS "weir_groups"`,
    ...[...group.stats].map(([a, s]) => `${s} AS ${d.quoteIdent(a)}`),
  ];
  if (group.duplicates) selects.push(`${rows(`${groupCount} > 1`, suite.sampleSize)} AS "weir_duplicates"`);
  if (group.distinct) selects.push(`${rows("TRUE", MAX_OBSERVED_VALUES + 1)} AS "weir_distinct"`);
  if (group.modes)
    selects.push(`${rows(`${groupCount} = ${groupMax}`, MAX_OBSERVED_VALUES + 1)} AS "weir_modes"`);
  const keys = group.keys.map((k, i) => `${k.sql} AS ${groupKey(i)}`).join(", ");
  const max = group.modes ? `, max(count(*)) OVER () AS ${groupMax}` : "";
  const ordinals = group.keys.map((_, i) => String(i + 1)).join(", ");
  const where = group.where === undefined ? "" : ` WHERE ${group.where}`;
  const having = group.duplicatesOnly ? " HAVING count(*) > 1" : "";
  const grouped = `SELECT ${keys}, count(*) AS ${groupCount}${max} FROM ${suite.from}${where} GROUP BY ${ordinals}${having}`;
  return `SELECT ${selects.join(",\n  ")}\nFROM (${grouped}) AS weir_g`;
}

export function and(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined);
  return present.length === 0 ? undefined : present.join(" AND ");
}

export function countWhere(condition: string | undefined): string {
  return condition === undefined ? "count(*)" : `count(*) FILTER (WHERE ${condition})`;
}
