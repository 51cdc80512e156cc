import type { ColumnDefinition } from "./column-types.js";
import { checkModelName, ModelError } from "./model-error.js";

/**
 * Generated calendar dimensions. Their rows come from the model (weir generates them with
 * the engine's own `generate_series`), so both engines hold the same rows.
 *
 * dim_date: `date_key` (yyyymmdd), `date`, `day_of_week` (ISO: Monday 1 … Sunday 7),
 * `day_name`, `day_of_month`, `day_of_year`, `week` (ISO week), `iso_year`, `month`,
 * `month_name`, `quarter`, `year`, `is_weekend`.
 *
 * dim_time: `time_key` (hhmm per minute, hhmmss per second), `hour`, `minute`, `second`,
 * `day_part` (night 0–5, morning 6–11, afternoon 12–17, evening 18–23).
 */
export interface DateDimensionModel {
  readonly kind: "date-dimension";
  readonly name: string;
  readonly schema: string | undefined;
  /** First and last date held, ISO `yyyy-mm-dd`. */
  readonly from: string;
  readonly to: string;
  readonly columns: readonly ColumnDefinition[];
}

export interface TimeDimensionModel {
  readonly kind: "time-dimension";
  readonly name: string;
  readonly schema: string | undefined;
  readonly grain: "minute" | "second";
  readonly columns: readonly ColumnDefinition[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function dateDimension(spec: {
  name?: string;
  schema?: string;
  from: string;
  to: string;
}): DateDimensionModel {
  const name = spec.name ?? "dim_date";
  checkModelName(name, "date dimension name");
  if (spec.schema !== undefined) checkModelName(spec.schema, "schema");
  for (const d of [spec.from, spec.to]) {
    if (!ISO_DATE.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) {
      throw new ModelError(`date dimension ${name}: ${JSON.stringify(d)} is not a yyyy-mm-dd date`);
    }
  }
  if (spec.from > spec.to)
    throw new ModelError(`date dimension ${name}: from ${spec.from} is after to ${spec.to}`);
  const c = (n: string, type: ColumnDefinition["type"]): ColumnDefinition => ({
    name: n,
    type,
    nullable: false,
  });
  return Object.freeze({
    kind: "date-dimension" as const,
    name,
    schema: spec.schema,
    from: spec.from,
    to: spec.to,
    columns: [
      c("date_key", "integer"),
      c("date", "date"),
      c("day_of_week", "integer"),
      c("day_name", "varchar"),
      c("day_of_month", "integer"),
      c("day_of_year", "integer"),
      c("week", "integer"),
      c("iso_year", "integer"),
      c("month", "integer"),
      c("month_name", "varchar"),
      c("quarter", "integer"),
      c("year", "integer"),
      c("is_weekend", "boolean"),
    ],
  });
}

export function timeDimension(
  spec: { name?: string; schema?: string; grain?: "minute" | "second" } = {},
): TimeDimensionModel {
  const name = spec.name ?? "dim_time";
  checkModelName(name, "time dimension name");
  if (spec.schema !== undefined) checkModelName(spec.schema, "schema");
  const c = (n: string, type: ColumnDefinition["type"]): ColumnDefinition => ({
    name: n,
    type,
    nullable: false,
  });
  return Object.freeze({
    kind: "time-dimension" as const,
    name,
    schema: spec.schema,
    grain: spec.grain ?? "minute",
    columns: [
      c("time_key", "integer"),
      c("hour", "integer"),
      c("minute", "integer"),
      c("second", "integer"),
      c("day_part", "varchar"),
    ],
  });
}
