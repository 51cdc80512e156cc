import type { z } from "zod";
import type { Field, TableRef, WeirType } from "../../core/types.js";
import type { Dialect } from "../../engines/dialect.js";
import type { EngineKind } from "../../engines/engine.js";
import type { ExpectationKind, ExpectationResult } from "./expectation.js";
import type { ExpectationSql } from "./expectation-sql.js";
import type { MapEvidence } from "./map-evidence.js";

/**
 * What an expectation concluded: GX's `success` and `result`. A map expectation (a test per
 * row) gives its `evidence` instead, which the result format turns into `result`.
 */
export interface Outcome {
  success: boolean;
  result: ExpectationResult["result"];
  evidence?: MapEvidence;
}

/** A value a failing row shows in `partial_unexpected_list`, with its type to read it back. */
export interface SampleValue {
  sql: string;
  type: WeirType | undefined;
  /** With several values, each unexpected item is an object keyed by these names. */
  name?: string;
}

/**
 * A per-row test, aggregated into counts in the main scan. Rows outside `row_condition`
 * are never considered; `missing` rows are counted but not tested.
 */
export interface MapPlan {
  plan: "map";
  /** True for a row skipped as missing (GX's NULL handling); absent for the expectations about NULLs. */
  missing?: string;
  /** True for a considered, non-missing row that fails. */
  unexpected: string;
  /**
   * What a failing row lists in `partial_unexpected_list`; empty when the failing values are
   * NULL. Expressions over the target's own columns only (no window values): on a DuckDB
   * table they are read afterwards by row id (`../first-rows-lookup.ts`).
   */
  sample: SampleValue[];
  /**
   * How the sample values make one unexpected item: `[a, b]` for a column pair (GX's
   * column-pair expectations), an object keyed by the values' names (GX's multicolumn ones;
   * the default for several values), or — the default for one — the value itself.
   */
  sampleShape?: "value" | "pair" | "record";
  /** GX's `mostly`: the share of considered rows that must pass (default 1). */
  mostly?: number | undefined;
  /** The expectation is about NULLs, so every considered row is tested (no `missing_*` in the result). */
  aboutNulls?: boolean;
  /**
   * Aggregates equal to the missing / unexpected counts when there is no row_condition,
   * written so engines can answer them from column statistics (`count(*) - count(c)`
   * for NULLs) instead of testing every row.
   */
  plainCounts?: { missing?: string; unexpected?: string };
}

/** Statistics computed in the main scan, judged in JS. */
export interface AggregatePlan {
  plan: "aggregate";
  /** Aggregate SQL by local name; identical SQL across expectations is computed once. */
  selects: Record<string, string>;
  evaluate(values: Record<string, unknown>): Outcome;
}

/** Judged from the target's columns alone; no data is read. */
export interface SchemaPlan {
  plan: "schema";
  /** The plan reads the engine's own type names of the columns (`engineTypes`). */
  engineTypes?: boolean;
  /** `engineTypes`: each column's type as the engine names it (`typeof` / `pg_typeof`). */
  evaluate(fields: readonly Field[], engineTypes: ReadonlyMap<string, string>): Outcome;
}

/** A group's key values and its row count. */
export interface GroupRow {
  key: unknown[];
  n: number;
}

/** What a group query produced for one expectation: see {@link GroupPlan}. */
export interface GroupOutput {
  /** The plan's `selects`, computed in the main scan. */
  main: Record<string, unknown>;
  /** The plan's `stats`, computed over the groups. */
  stats: Record<string, unknown>;
  /** Groups with more than one row, smallest keys first, at most `sampleSize` of them. */
  duplicates: GroupRow[];
  /** Distinct keys in ascending order, at most {@link MAX_OBSERVED_VALUES}. */
  distinct: GroupRow[];
  distinctTruncated: boolean;
  /** The most frequent keys (all of them when tied), ascending, at most {@link MAX_OBSERVED_VALUES}. */
  modes: GroupRow[];
  modesTruncated: boolean;
  /** Unexpected values to list per expectation (the validation's sample size). */
  sampleSize: number;
}

/** Observed lists of distinct values are cut at this length (the verdict still covers every value). */
export const MAX_OBSERVED_VALUES = 1000;

/**
 * Needs the rows grouped by `keys` (a GROUP BY pass of its own, shared by every plan with
 * the same keys and filter). Inside `stats`, the grouped relation's columns are
 * `groupKey(i)`, `groupCount` and — when a plan asks for modes — `groupMax`, the largest
 * group's size.
 */
export interface GroupPlan {
  plan: "group";
  keys: SampleValue[];
  /** Rows that take part (row_condition and NULL handling), or undefined for all. */
  where: string | undefined;
  /** Aggregates over the target computed in the main scan (counts of rows and NULLs), by local name. */
  selects?: Record<string, string>;
  /** Aggregates over the groups, by local name. */
  stats: Record<string, string>;
  duplicates?: boolean;
  distinct?: boolean;
  modes?: boolean;
  /**
   * The plan reads only groups of more than one row (its stats filter on `groupCount > 1`);
   * when every plan of a pass says so, the pass drops the other groups before aggregating.
   */
  duplicatesOnly?: boolean;
  evaluate(output: GroupOutput): Outcome;
  /**
   * The same verdict from main-scan aggregates, used when no other expectation needs this
   * GROUP BY pass (a distinct count is cheaper inside the one scan than in a pass of its own).
   */
  fallback?: AggregatePlan;
}

/** Order statistics of one column's non-NULL values (the rows inside `row_condition`). */
export interface Quantiles {
  /** Non-NULL values considered. */
  count: number;
  /** The first value whose cumulative share of the values reaches q (`percentile_disc`); null for no values. */
  discrete(q: number): number | null;
  /** The value interpolated at position q·(count − 1) of the sorted values (`percentile_cont`); null for no values. */
  continuous(q: number): number | null;
}

/**
 * Needs quantiles of an integer column (exact order statistics sort or count every value,
 * which would slow the one main scan down). They are computed after the main scan in a
 * pass of their own, shared by every plan on the same column and filter: from the column's
 * value counts when the main scan's min and max show a small range, otherwise with the
 * engine's quantile aggregates. Both give the engine's exact answer.
 */
export interface DistributionPlan {
  plan: "distribution";
  /** The integer column. */
  column: SampleValue;
  /** The expectation's row_condition (never NULL), or undefined; NULL values are skipped by the pass. */
  where: string | undefined;
  /** Quantiles (0..1) the plan reads with `discrete`, and with `continuous`. */
  discrete: readonly number[];
  continuous: readonly number[];
  evaluate(quantiles: Quantiles): Outcome;
}

/** A query whose rows are failures; runs on its own. */
export interface QueryPlan {
  plan: "query";
  sql: string;
  /** Reshapes the SQL check's outcome for another GX name (`unexpected_rows_expectation`). */
  reshape?: (outcome: Outcome) => Outcome;
}

/**
 * A per-row test that SQL cannot express (JSON Schema): the column's values are streamed
 * from the engine in row order, inside row_condition, and judged in JS (`../stream-pass.ts`).
 * NULLs are missing. Row-level predicates (quarantine) do not exist for it.
 */
export interface StreamPlan {
  plan: "stream";
  value: SampleValue;
  mostly?: number | undefined;
  /** A judge for one run: true when a non-NULL value is unexpected; throwing fails the expectation. */
  judge(): (value: unknown) => boolean;
}

export type Plan =
  | MapPlan
  | AggregatePlan
  | SchemaPlan
  | GroupPlan
  | DistributionPlan
  | QueryPlan
  | StreamPlan;

/**
 * What a definition compiles against: quoting, per-engine snippets and the target's columns.
 * In `predicate` mode (row-level predicates for quarantine) definitions that would need a
 * separate pass return a map plan written with window functions instead.
 */
export interface CompileContext {
  engine: EngineKind;
  dialect: Dialect;
  sql: ExpectationSql;
  mode: "validate" | "predicate";
  /** Whether the target is a table (it has a natural row order) or a query. */
  target: "table" | "query";
  /** The table validated, when the target is one (other tables named without a schema are looked up beside it). */
  table?: TableRef;
  /** A quoted identifier. */
  q(name: string): string;
  /** A SQL literal. */
  lit(value: string | number | boolean | null): string;
  /** The logical type of a column, when the target's columns are known. */
  typeOf(column: string): WeirType | undefined;
  /** The expectation's `row_condition` as a boolean that is never NULL, or undefined. */
  rowCondition: string | undefined;
  /** An ORDER BY key for `sql` of `type`: text sorts by code point on both engines. */
  orderKey(sql: string, type: WeirType | undefined): string;
  /**
   * A window expression's value for the current row. When validating, windows are computed
   * in a subquery under the main scan and this returns a reference to that column; in
   * predicate mode it returns the window expression itself.
   */
  window(sql: string): string;
  /**
   * An ORDER BY key giving the target's rows in row order (see `../row-order.ts`), for
   * expectations comparing a row with the previous one when no `order_by` is given.
   */
  rowOrder(): string;
}

/** One expectation type: GX's name, its kind, its kwargs (zod) and how it compiles to SQL. */
export interface ExpectationDefinition<A = Record<string, unknown>> {
  type: string;
  kind: ExpectationKind;
  description: string;
  kwargs: z.ZodType<A>;
  /** Columns the expectation reads (checked against the target before compiling). */
  columns(kwargs: A): string[];
  compile(kwargs: A, ctx: CompileContext): Plan;
}

/** Identity helper that keeps the kwargs type of a definition. */
export function defineExpectation<A>(definition: ExpectationDefinition<A>): ExpectationDefinition<A> {
  return definition;
}

/** Column names of the grouped relation a {@link GroupPlan}'s SQL reads. */
export const groupKey = (i: number): string => `"weir_k${i}"`;
export const groupCount = `"weir_n"`;
export const groupMax = `"weir_max"`;
