import { facet, withoutUndefined } from "./facet.js";
import type {
  ColumnMetrics,
  DataQualityAssertion,
  DataQualityAssertionsDatasetFacet,
  DataQualityMetricsInputDatasetFacet,
} from "./types.js";

/**
 * The `dataQualityAssertions` input facet: each check run on the dataset and whether it
 * passed; `column` when the check is about one column.
 *
 * @example
 * dataQualityAssertionsFacet([{ assertion: "expect_column_values_to_not_be_null", success: true, column: "id" }])
 */
export function dataQualityAssertionsFacet(
  assertions: readonly DataQualityAssertion[],
): DataQualityAssertionsDatasetFacet {
  return facet("dataQualityAssertions", { assertions: assertions.map((a) => withoutUndefined({ ...a })) });
}

/**
 * The `dataQualityMetrics` input facet: row count, size and per-column metrics
 * (null and distinct counts, sum, min, max, quantiles) measured on the rows read.
 */
export function dataQualityMetricsFacet(metrics: {
  rowCount?: number;
  bytes?: number;
  fileCount?: number;
  columnMetrics?: Record<string, ColumnMetrics>;
}): DataQualityMetricsInputDatasetFacet {
  const columnMetrics: Record<string, ColumnMetrics> = {};
  for (const [column, m] of Object.entries(metrics.columnMetrics ?? {}))
    columnMetrics[column] = withoutUndefined({ ...m });
  return facet("dataQualityMetrics", {
    rowCount: metrics.rowCount,
    bytes: metrics.bytes,
    fileCount: metrics.fileCount,
    columnMetrics,
  });
}
