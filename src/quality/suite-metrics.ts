import { ConfigError } from "../core/errors.js";
import type { Engine } from "../engines/engine.js";
import { type CheckTarget, targetLabel } from "./suite-target.js";

/**
 * The SQL aggregate for a metric of anomaly detection: `row_count`, `null_rate:<col>`
 * (0..1), `distinct_count:<col>` or `mean:<col>`. Run with other aggregates in one scan.
 *
 * @example
 * metricSql(engine, "null_rate:email", ["id", "email"]); // CASE WHEN COUNT(*) = 0 … END
 */
export function metricSql(
  engine: Engine,
  metric: string,
  columns: readonly string[],
  target: CheckTarget,
): string {
  const d = engine.dialect;
  const double = d.typeName("double");
  const [kind, ...rest] = metric.split(":");
  const column = rest.join(":");
  if (kind !== "row_count" && !columns.includes(column)) {
    throw new ConfigError(
      `anomaly metric "${metric}" names column "${column}", which ${targetLabel(target)} does not have (columns: ${columns.join(", ")})`,
      { details: { metric, column } },
    );
  }
  const c = d.quoteIdent(column);
  switch (kind) {
    case "row_count":
      return "COUNT(*)";
    case "null_rate":
      return `CASE WHEN COUNT(*) = 0 THEN NULL ELSE CAST(SUM(CASE WHEN ${c} IS NULL THEN 1 ELSE 0 END) AS ${double}) / COUNT(*) END`;
    case "distinct_count":
      return `COUNT(DISTINCT ${c})`;
    case "mean":
      return `AVG(CAST(${c} AS ${double}))`;
    default:
      throw new ConfigError(`unknown anomaly metric "${metric}"`, { details: { metric } });
  }
}

/** A metric's value as a number (engines return bigints, decimals as text, NULL). */
export function metricValue(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
