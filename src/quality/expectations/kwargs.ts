import { z } from "zod";
import { resultFormatSchema } from "../result-format.js";
import { ROW_CONDITION_EXPECTED, rowConditionProblem } from "./user-sql.js";

/**
 * Keyword arguments shared by every expectation, with GX's names. `result_format` chooses
 * how much evidence the result carries (`../result-format.ts`); `catch_exceptions` and
 * `include_config` are accepted so GX suites load unchanged, but weir always catches and
 * always includes the configuration.
 */
export const commonKwargs = {
  row_condition: z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
      const problem = rowConditionProblem(text);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: `${ROW_CONDITION_EXPECTED}: ${problem}` });
    })
    .optional()
    .describe("a SQL boolean expression: the expectation applies only to rows where it is true"),
  condition_parser: z
    .literal("sql")
    .optional()
    .describe('how row_condition is read; weir only reads SQL ("sql")'),
  result_format: resultFormatSchema.optional(),
  catch_exceptions: z.boolean().optional().describe("accepted for GX compatibility; ignored"),
  include_config: z.boolean().optional().describe("accepted for GX compatibility; ignored"),
};

export const column = z.string().min(1).describe("the column's name, exactly as in the table");

export const mostly = z
  .number()
  .min(0)
  .max(1)
  .optional()
  .describe("the fraction of non-missing rows that must pass (default 1)");

/** A value of a set, as JSON carries it. Dates and timestamps are written as ISO text. */
export const setValue = z.union([z.string(), z.number().finite(), z.boolean()]);
/**
 * A set of values. A null member is accepted, as GX accepts it, and matches nothing: NULLs
 * are missing values, skipped before any value is tested.
 */
export const valueSet = z
  .array(setValue.nullable())
  .describe("the values, as JSON: strings, numbers, booleans (null matches nothing)");

/** A bound: a number, or ISO text for dates and timestamps; null or absent for no bound. */
export const bound = z.union([z.number().finite(), z.string()]).nullable().optional();
export const numericBound = z.number().finite().nullable().optional();

export const betweenKwargs = {
  min_value: bound.describe("the lower bound (inclusive unless strict_min); null for none"),
  max_value: bound.describe("the upper bound (inclusive unless strict_max); null for none"),
  strict_min: z.boolean().optional().describe("the lower bound itself fails"),
  strict_max: z.boolean().optional().describe("the upper bound itself fails"),
};

export type SetValue = z.infer<typeof setValue>;
export type SetMember = SetValue | null;
export type Bound = z.infer<typeof bound>;

/**
 * GX refuses a "between" with neither bound for values_to_be_between, min, max, sum and
 * value_lengths; so does weir, naming the arguments. (For the mean, median, stdev, unique
 * counts and table counts GX reads no bounds as any value: a vacuous success.)
 */
export function hasABound(value: { min_value?: unknown; max_value?: unknown }): boolean {
  return (
    (value.min_value !== undefined && value.min_value !== null) ||
    (value.max_value !== undefined && value.max_value !== null)
  );
}

export const needsABound = {
  message: "min_value and max_value cannot both be null: give at least one bound",
  path: ["min_value"],
};

/**
 * A refinement refusing `min_value` above `max_value` (numbers, or text compared by code
 * point: ISO dates and timestamps in one format sort as they compare), which no value could
 * satisfy: a configuration mistake, not a data failure.
 */
export function boundsInOrder(
  value: { min_value?: unknown; max_value?: unknown },
  ctx: z.RefinementCtx,
): void {
  const lo = value.min_value;
  const hi = value.max_value;
  const comparable =
    (typeof lo === "number" && typeof hi === "number") || (typeof lo === "string" && typeof hi === "string");
  if (!comparable || !(lo > hi)) return;
  ctx.addIssue({
    code: "custom",
    message: `min_value (${JSON.stringify(lo)}) is greater than max_value (${JSON.stringify(hi)}): no value can lie between them`,
    path: ["min_value"],
  });
}

export interface CommonArgs {
  row_condition?: string | undefined;
}
