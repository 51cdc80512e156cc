import { z } from "zod";
import type { WeirType } from "../../core/types.js";
import { inSet } from "./column-map-expectations.js";
import type { CompileContext, GroupOutput, GroupPlan, Outcome } from "./expectation-definition.js";
import { defineExpectation, groupCount, groupKey, groupMax } from "./expectation-definition.js";
import { column, commonKwargs, type SetMember, valueSet } from "./kwargs.js";
import { observedTypeName, typeNameMatches } from "./type-names.js";

/**
 * Expectations about a column's set of distinct values. They group the column in a pass of
 * their own (shared by every such expectation on the same column and row_condition), so the
 * verdict covers all values while `observed_value` lists at most 1000 of them.
 */

const setKwargs = z.object({ column, value_set: valueSet, ...commonKwargs }).strict();
type SetArgs = z.infer<typeof setKwargs>;

/** Group the non-NULL values of the column inside row_condition. */
function distinctPlan(
  a: SetArgs,
  ctx: CompileContext,
  stats: Record<string, string>,
  evaluate: (out: GroupOutput, observed: unknown[]) => Outcome,
): GroupPlan {
  const col = ctx.q(a.column);
  const notNull = `NOT (${col} IS NULL)`; // spelled as uniqueness spells it, so they share a pass
  return {
    plan: "group",
    keys: [{ sql: col, type: ctx.typeOf(a.column) }],
    where: ctx.rowCondition === undefined ? notNull : `${ctx.rowCondition} AND ${notNull}`,
    stats,
    distinct: true,
    evaluate: (out) => {
      const observed = out.distinct.map((d) => d.key[0]);
      const outcome = evaluate(out, observed);
      const valueCounts = out.distinct.map((d) => ({ value: d.key[0], count: d.n }));
      outcome.result.details = {
        ...outcome.result.details,
        value_counts: valueCounts,
        ...(out.distinctTruncated ? { observed_value_truncated: true } : {}),
      };
      return outcome;
    },
  };
}

/** One flag per member of the set: does any group equal it? */
function memberStats(ctx: CompileContext, set: readonly SetMember[]): Record<string, string> {
  return Object.fromEntries(
    set.map((v, i) => [`has${i}`, `COALESCE(bool_or(${groupKey(0)} = ${ctx.lit(v)}), FALSE)`]),
  );
}
const missingMembers = (out: GroupOutput, set: readonly SetMember[]) =>
  set.filter((_, i) => out.stats[`has${i}`] !== true);
const outsideStat = (ctx: CompileContext, type: WeirType | undefined, set: readonly SetMember[]) =>
  `count(*) FILTER (WHERE NOT (${inSet(ctx, groupKey(0), type, set)}))`;

export const columnDistinctValuesToBeInSet = defineExpectation({
  type: "expect_column_distinct_values_to_be_in_set",
  kind: "column_aggregate",
  description:
    "Every distinct non-NULL value is a member of `value_set` (an empty column passes; value_set null passes, listing the values).",
  kwargs: z.object({ column, value_set: valueSet.nullable(), ...commonKwargs }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    distinctPlan(
      { ...a, value_set: a.value_set ?? [] },
      ctx,
      // GX: without a value_set the expectation is vacuously true, and reports the values.
      a.value_set === null ? {} : { outside: outsideStat(ctx, ctx.typeOf(a.column), a.value_set) },
      (out, observed) => ({
        success: Number(out.stats.outside ?? 0) === 0,
        result: { observed_value: observed },
      }),
    ),
});

export const columnDistinctValuesToContainSet = defineExpectation({
  type: "expect_column_distinct_values_to_contain_set",
  kind: "column_aggregate",
  description: "Every member of `value_set` occurs among the column's values.",
  kwargs: setKwargs,
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    distinctPlan(a, ctx, memberStats(ctx, a.value_set), (out, observed) => {
      const missing = missingMembers(out, a.value_set);
      return {
        success: missing.length === 0,
        result: { observed_value: observed, ...(missing.length > 0 ? { details: { missing } } : {}) },
      };
    }),
});

export const columnDistinctValuesToEqualSet = defineExpectation({
  type: "expect_column_distinct_values_to_equal_set",
  kind: "column_aggregate",
  description: "The distinct non-NULL values are exactly `value_set`.",
  kwargs: setKwargs,
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    distinctPlan(
      a,
      ctx,
      { outside: outsideStat(ctx, ctx.typeOf(a.column), a.value_set), ...memberStats(ctx, a.value_set) },
      (out, observed) => {
        const missing = missingMembers(out, a.value_set);
        return {
          success: missing.length === 0 && Number(out.stats.outside ?? 0) === 0,
          result: { observed_value: observed, ...(missing.length > 0 ? { details: { missing } } : {}) },
        };
      },
    ),
});

export const columnMostCommonValueToBeInSet = defineExpectation({
  type: "expect_column_most_common_value_to_be_in_set",
  kind: "column_aggregate",
  description:
    "The most frequent non-NULL value is in `value_set`; with ties_okay, ties only need one member in the set.",
  kwargs: z
    .object({
      column,
      value_set: valueSet,
      ties_okay: z
        .boolean()
        .nullable()
        .optional()
        .describe("a tie passes when one of the tied values is in the set"),
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => [a.column],
  compile: (a, ctx): GroupPlan => {
    const col = ctx.q(a.column);
    const notNull = `NOT (${col} IS NULL)`; // spelled as uniqueness spells it, so they share a pass
    const isMode = `${groupCount} = ${groupMax}`;
    return {
      plan: "group",
      keys: [{ sql: col, type: ctx.typeOf(a.column) }],
      where: ctx.rowCondition === undefined ? notNull : `${ctx.rowCondition} AND ${notNull}`,
      stats: {
        modes: `count(*) FILTER (WHERE ${isMode})`,
        in_set: `count(*) FILTER (WHERE ${isMode} AND ${inSet(ctx, groupKey(0), ctx.typeOf(a.column), a.value_set)})`,
      },
      modes: true,
      evaluate: (out) => {
        const modes = Number(out.stats.modes ?? 0);
        const inSetCount = Number(out.stats.in_set ?? 0);
        // GX: with ties_okay one member of the set among the modes suffices; otherwise the mode must be unique.
        const success = a.ties_okay ? inSetCount > 0 : modes === 1 && inSetCount === 1;
        return {
          success,
          result: {
            observed_value: out.modes.map((m) => m.key[0]),
            ...(out.modesTruncated ? { details: { observed_value_truncated: true } } : {}),
          },
        };
      },
    };
  },
});

/** The column's engine type, as `observed_value` shows it, and whether it is one of `wanted`. */
function judgeType(
  ctx: CompileContext,
  column: string,
  engineTypes: ReadonlyMap<string, string>,
  wanted: readonly string[] | null | undefined,
): Outcome {
  const actual = engineTypes.get(column);
  if (actual === undefined) return { success: false, result: { observed_value: null } };
  // GX: no type list means any type passes, and the observed type is still reported.
  const success =
    wanted === null || wanted === undefined || wanted.some((t) => typeNameMatches(ctx.engine, actual, t));
  return { success, result: { observed_value: observedTypeName(actual) } };
}

export const columnValuesToBeOfType = defineExpectation({
  type: "expect_column_values_to_be_of_type",
  kind: "column_aggregate",
  description:
    "The column's type is `type_`: the engine's name for it or an alias (INTEGER, BIGINT, DOUBLE_PRECISION, FLOAT8, TEXT, VARCHAR, TIMESTAMP, …), or a weir type name.",
  kwargs: z.object({ column, type_: z.string().min(1).describe("the type name"), ...commonKwargs }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => ({
    plan: "schema",
    engineTypes: true,
    evaluate: (_fields, engineTypes) => judgeType(ctx, a.column, engineTypes, [a.type_]),
  }),
});

export const columnValuesToBeInTypeList = defineExpectation({
  type: "expect_column_values_to_be_in_type_list",
  kind: "column_aggregate",
  description:
    "The column's type is one of `type_list` (names as for expect_column_values_to_be_of_type); null accepts any type.",
  kwargs: z
    .object({
      column,
      type_list: z.array(z.string().min(1)).min(1).nullable().describe("the type names; null for any"),
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => ({
    plan: "schema",
    engineTypes: true,
    evaluate: (_fields, engineTypes) => judgeType(ctx, a.column, engineTypes, a.type_list),
  }),
});

export const DISTINCT_VALUE_EXPECTATIONS = [
  columnDistinctValuesToBeInSet,
  columnDistinctValuesToContainSet,
  columnDistinctValuesToEqualSet,
  columnMostCommonValueToBeInSet,
  columnValuesToBeOfType,
  columnValuesToBeInTypeList,
];
