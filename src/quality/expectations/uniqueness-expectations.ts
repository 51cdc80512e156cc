import { z } from "zod";
import { nullCount } from "./column-map-expectations.js";
import type { CompileContext, Plan } from "./expectation-definition.js";
import { defineExpectation, groupCount } from "./expectation-definition.js";
import { column, commonKwargs, mostly } from "./kwargs.js";
import { mapOutcome } from "./map-outcome.js";
import { toCount } from "./result-values.js";

/**
 * Uniqueness, as GX counts it: every row whose value (or combination) occurs more than
 * once is unexpected, not just the extra copies. Validation groups the rows in a pass of
 * its own; the row-level predicate (quarantine) uses a window count instead.
 */

const and = (...parts: (string | undefined)[]) => {
  const present = parts.filter((p): p is string => p !== undefined);
  return present.length === 0 ? undefined : present.join(" AND ");
};
const countWhere = (cond: string | undefined) =>
  cond === undefined ? "count(*)" : `count(*) FILTER (WHERE ${cond})`;

/**
 * Rows where `ignored` holds are missing; the others are grouped by `columns`, and rows of
 * groups bigger than one are unexpected.
 */
function uniquenessPlan(
  ctx: CompileContext,
  columns: readonly string[],
  ignored: string,
  m: number | undefined,
  sampleShape?: "record",
): Plan {
  const cols = columns.map((c) => ctx.q(c));
  const keys = columns.map((c) => ({ sql: ctx.q(c), type: ctx.typeOf(c), name: c }));
  if (ctx.mode === "predicate") {
    const partition = [...cols, ...(ctx.rowCondition === undefined ? [] : [ctx.rowCondition])].join(", ");
    return {
      plan: "map",
      missing: ignored,
      unexpected: `${ctx.window(`count(*) OVER (PARTITION BY ${partition})`)} > 1`,
      sample: keys,
      ...(sampleShape ? { sampleShape } : {}),
      mostly: m,
    };
  }
  const rc = ctx.rowCondition;
  return {
    plan: "group",
    keys,
    where: and(rc, `NOT (${ignored})`),
    selects: {
      element: countWhere(rc),
      missing:
        rc === undefined && columns.length === 1 ? nullCount(ctx, columns[0]!) : countWhere(and(rc, ignored)),
    },
    stats: { duplicated: `sum(${groupCount}) FILTER (WHERE ${groupCount} > 1)` },
    duplicatesOnly: true,
    // The failing rows themselves (first in row order) are read afterwards, only when the
    // expectation fails and its result format lists them (`failing-rows.ts`).
    evaluate: (out) =>
      mapOutcome(
        {
          element: toCount(out.main.element),
          missing: toCount(out.main.missing),
          unexpected: toCount(out.stats.duplicated),
        },
        undefined,
        { mostly: m },
      ),
  };
}

export const columnValuesToBeUnique = defineExpectation({
  type: "expect_column_values_to_be_unique",
  kind: "column_map",
  description: "No non-NULL value occurs twice; every row of a repeated value is unexpected.",
  kwargs: z.object({ column, mostly, ...commonKwargs }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => uniquenessPlan(ctx, [a.column], `${ctx.q(a.column)} IS NULL`, a.mostly),
});

/** GX's `ignore_row_if` for a column list. */
export const ignoreRowIf = z
  .enum(["all_values_are_missing", "any_value_is_missing", "never"])
  .optional()
  .describe("which rows are skipped as missing (default all_values_are_missing)");

/** The SQL condition for GX's `ignore_row_if` over several columns. */
export function ignoredRows(
  ctx: CompileContext,
  columns: readonly string[],
  rule: "all_values_are_missing" | "any_value_is_missing" | "never",
): string {
  if (rule === "never") return "FALSE";
  const nulls = columns.map((c) => `${ctx.q(c)} IS NULL`);
  return `(${nulls.join(rule === "all_values_are_missing" ? " AND " : " OR ")})`;
}

export const compoundColumnsToBeUnique = defineExpectation({
  type: "expect_compound_columns_to_be_unique",
  kind: "multicolumn_map",
  description:
    "No combination of the columns' values occurs twice (NULLs compare equal); unexpected values are objects by column.",
  kwargs: z
    .object({
      column_list: z.array(z.string().min(1)).min(1).describe("the columns forming the key"),
      ignore_row_if: ignoreRowIf,
      mostly,
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => a.column_list,
  compile: (a, ctx) =>
    uniquenessPlan(
      ctx,
      a.column_list,
      ignoredRows(ctx, a.column_list, a.ignore_row_if ?? "all_values_are_missing"),
      a.mostly,
      "record",
    ),
});

export const UNIQUENESS_EXPECTATIONS = [columnValuesToBeUnique, compoundColumnsToBeUnique];
