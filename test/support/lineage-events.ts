import {
  columnInput,
  columnLineageDatasetFacet,
  dataSourceDatasetFacet,
  direct,
  indirect,
  lifecycleStateChangeDatasetFacet,
  schemaDatasetFacet,
  weirDatasetFacet,
} from "../../src/lineage/openlineage/dataset-facets.js";
import { duckdbDataset, lakeDataset, postgresDataset } from "../../src/lineage/openlineage/dataset-naming.js";
import {
  dataQualityAssertionsFacet,
  dataQualityMetricsFacet,
} from "../../src/lineage/openlineage/input-facets.js";
import {
  documentationJobFacet,
  jobTypeJobFacet,
  sourceCodeJobFacet,
  sqlJobFacet,
} from "../../src/lineage/openlineage/job-facets.js";
import { pipelineJob, taskJob } from "../../src/lineage/openlineage/job-naming.js";
import { outputStatisticsFacet } from "../../src/lineage/openlineage/output-facets.js";
import { runEvent } from "../../src/lineage/openlineage/run-event.js";
import {
  errorMessageRunFacet,
  nominalTimeRunFacet,
  parentRunFacet,
  processingEngineRunFacet,
} from "../../src/lineage/openlineage/run-facets.js";
import { newRunId } from "../../src/lineage/openlineage/run-id.js";
import type { RunEvent, RunEventType } from "../../src/lineage/openlineage/types.js";

/**
 * A task-attempt RunEvent with every facet weir emits filled in: a PostgreSQL input with
 * quality facets, a DuckDB output with schema, data source, column lineage, lifecycle and
 * statistics, and the run and job facets (error facet on FAIL). For schema tests and as a
 * realistic payload for transport tests.
 */
export function sampleRunEvent(
  eventType: RunEventType = "COMPLETE",
  options: { runId?: string; eventTime?: Date | string; padding?: number } = {},
): RunEvent {
  const pipelineRunId = newRunId();
  const orders = postgresDataset({
    host: "db.internal",
    database: "shop",
    schema: "public",
    table: "orders",
  });
  const lakeOrders = lakeDataset("/srv/weir/.weir/lake/raw/orders");
  const facts = duckdbDataset({ file: "/srv/weir/.weir/warehouse.duckdb", table: "fct_orders" });
  return runEvent({
    eventType,
    eventTime: options.eventTime,
    run: {
      runId: options.runId ?? newRunId(),
      facets: {
        parent: parentRunFacet({ runId: pipelineRunId, job: pipelineJob("orders") }),
        nominalTime: nominalTimeRunFacet({ start: "2024-03-01T00:00:00Z", end: "2024-03-02T00:00:00Z" }),
        processing_engine: processingEngineRunFacet(),
        ...(eventType === "FAIL" ? { errorMessage: errorMessageRunFacet(new Error("boom")) } : {}),
      },
    },
    job: {
      ...taskJob("orders", "load_facts"),
      facets: {
        jobType: jobTypeJobFacet({ processingType: "BATCH", jobType: "TASK" }),
        sql: sqlJobFacet("INSERT INTO fct_orders SELECT id, amount FROM orders WHERE amount > 0", "duckdb"),
        sourceCode: sourceCodeJobFacet("async (ctx) => ctx.sql('…')"),
        documentation: documentationJobFacet(`Loads the order facts.${"x".repeat(options.padding ?? 0)}`),
      },
    },
    inputs: [
      {
        ...orders,
        facets: {
          schema: schemaDatasetFacet([
            { name: "id", type: "bigint" },
            { name: "amount", type: "decimal" },
          ]),
          dataSource: dataSourceDatasetFacet(orders.namespace),
        },
        inputFacets: {
          dataQualityAssertions: dataQualityAssertionsFacet([
            { assertion: "expect_column_values_to_not_be_null", success: true, column: "id" },
            { assertion: "expect_table_row_count_to_be_between", success: false },
          ]),
          dataQualityMetrics: dataQualityMetricsFacet({
            rowCount: 10,
            bytes: 2048,
            columnMetrics: {
              id: { nullCount: 0, distinctCount: 10, min: 1, max: 10, quantiles: { "0.5": 5 } },
            },
          }),
        },
      },
      { ...lakeOrders, facets: { weir: weirDatasetFacet("lake.raw.orders") } },
    ],
    outputs: [
      {
        ...facts,
        facets: {
          schema: schemaDatasetFacet({
            fields: [
              { name: "id", type: "bigint" },
              { name: "amount", type: "decimal" },
            ],
          }),
          dataSource: dataSourceDatasetFacet(facts.namespace),
          columnLineage: columnLineageDatasetFacet({
            fields: {
              id: [columnInput(orders, "id", direct("IDENTITY"))],
              amount: [
                columnInput(
                  orders,
                  "amount",
                  direct("TRANSFORMATION", { description: "amount", masking: false }),
                ),
              ],
            },
            dataset: [columnInput(orders, "amount", indirect("FILTER"))],
          }),
          lifecycleStateChange: lifecycleStateChangeDatasetFacet("OVERWRITE"),
          weir: weirDatasetFacet("fct_orders"),
        },
        outputFacets: { outputStatistics: outputStatisticsFacet({ rowCount: 10, size: 4096, fileCount: 1 }) },
      },
    ],
  });
}
