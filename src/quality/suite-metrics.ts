import { ConfigError } from "../core/errors.js";
import type { Engine } from "../engines/engine.js";
import { type CheckTarget, fromSql, targetLabel } from "./suite-target.js";

/**
 * Computes metrics for anomaly detection in one scan: `row_count`, `null_rate:<col>`
 * (0..1), `distinct_count:<col>` and `mean:<col>`.
 *
 * @example
 * await computeMetrics(engine, { name: "orders" }, ["row_count", "null_rate:email"], ["id", "email"]);
 */
export async function computeMetrics(
  engine: Engine,
  target: CheckTarget,
  metrics: readonly string[],
  columns: readonly string[],
): Promise<Record<string, number | null>> {
  if (metrics.length === 0) return {};
  const d = engine.dialect;
  const q = (c: string) => d.quoteIdent(c);
  const double = d.typeName("double");
  const exprs = metrics.map((metric, i) => {
    const [kind, ...rest] = metric.split(":");
    const column = rest.join(":");
    if (kind !== "row_count" && !columns.includes(column)) {
      throw new ConfigError(
        `anomaly metric "${metric}" names column "${column}", which ${targetLabel(target)} does not have (columns: ${columns.join(", ")})`,
        { details: { metric, column } },
      );
    }
    const c = q(column);
    const sql =
      kind === "row_count"
        ? "COUNT(*)"
        : kind === "null_rate"
          ? `CASE WHEN COUNT(*) = 0 THEN NULL ELSE CAST(SUM(CASE WHEN ${c} IS NULL THEN 1 ELSE 0 END) AS ${double}) / COUNT(*) END`
          : kind === "distinct_count"
            ? `COUNT(DISTINCT ${c})`
            : kind === "mean"
              ? `AVG(CAST(${c} AS ${double}))`
              : undefined;
    if (sql === undefined) throw new ConfigError(`unknown anomaly metric "${metric}"`, { details: { metric } });
    return `${sql} AS ${q(`m${i}`)}`;
  });
  const [row] = await engine.query(`SELECT ${exprs.join(", ")} FROM ${fromSql(engine, target)}`);
  return Object.fromEntries(
    metrics.map((metric, i) => {
      const v = row?.[`m${i}`];
      return [metric, v === null || v === undefined ? null : Number(v)];
    }),
  );
}
