import type { ResolvedDataset, ResolvedInputField } from "../capture/lineage-model.js";
import {
  columnInput,
  columnLineageDatasetFacet,
  dataSourceDatasetFacet,
  schemaDatasetFacet,
  weirDatasetFacet,
} from "../openlineage/dataset-facets.js";
import { dataQualityAssertionsFacet, dataQualityMetricsFacet } from "../openlineage/input-facets.js";
import { jobTypeJobFacet, sqlJobFacet } from "../openlineage/job-facets.js";
import { outputStatisticsFacet } from "../openlineage/output-facets.js";
import { runEvent } from "../openlineage/run-event.js";
import {
  errorMessageRunFacet,
  nominalTimeRunFacet,
  parentRunFacet,
  processingEngineRunFacet,
} from "../openlineage/run-facets.js";
import type { ColumnTransformation, InputDataset, OutputDataset, RunEvent } from "../openlineage/types.js";
import type { RunEventSpec } from "./run-event-spec.js";

/** An OpenLineage RunEvent (spec 2-0-2, facets with their schema URLs) from what weir knows. */
export function buildRunEvent(spec: RunEventSpec): RunEvent {
  const runFacets: Record<string, unknown> = { processing_engine: processingEngineRunFacet() };
  if (spec.parent)
    runFacets.parent = parentRunFacet({
      runId: spec.parent.runId,
      job: { namespace: spec.parent.namespace, name: spec.parent.name },
    });
  if (spec.nominal) runFacets.nominalTime = nominalTimeRunFacet(spec.nominal);
  if (spec.error) {
    const error = new Error(spec.error.message);
    error.stack = spec.error.stackTrace ?? `Error: ${spec.error.message}`;
    runFacets.errorMessage = errorMessageRunFacet(error);
  }
  const jobFacets: Record<string, unknown> = {
    jobType: jobTypeJobFacet({ processingType: spec.job.processingType, jobType: spec.job.jobType }),
  };
  if (spec.job.sql) jobFacets.sql = sqlJobFacet(spec.job.sql);
  const activity = spec.activity;
  return runEvent({
    eventType: spec.eventType,
    eventTime: spec.eventTime,
    run: { runId: spec.runId, facets: runFacets } as RunEvent["run"],
    job: { namespace: spec.job.namespace, name: spec.job.name, facets: jobFacets } as RunEvent["job"],
    inputs: (activity?.inputs ?? []).map(inputDataset),
    outputs: (activity?.outputs ?? []).map(outputDataset),
  });
}

function datasetFacets(d: ResolvedDataset): Record<string, unknown> {
  return {
    dataSource: dataSourceDatasetFacet(d.namespace),
    weir: weirDatasetFacet(d.weirName),
    ...(d.fields && d.fields.length > 0 ? { schema: schemaDatasetFacet(d.fields) } : {}),
  };
}

function inputDataset(d: ResolvedDataset): InputDataset {
  const inputFacets: Record<string, unknown> = {};
  if (d.assertions && d.assertions.length > 0)
    inputFacets.dataQualityAssertions = dataQualityAssertionsFacet(d.assertions);
  if (d.rowCount !== undefined)
    inputFacets.dataQualityMetrics = dataQualityMetricsFacet({ rowCount: d.rowCount });
  return {
    namespace: d.namespace,
    name: d.name,
    facets: datasetFacets(d),
    ...(Object.keys(inputFacets).length > 0 ? { inputFacets } : {}),
  } as InputDataset;
}

function outputDataset(d: ResolvedDataset): OutputDataset {
  const facets = datasetFacets(d);
  if (d.columnLineage || d.datasetLineage) {
    const fields: Record<string, ReturnType<typeof columnInput>[]> = {};
    for (const [name, inputs] of Object.entries(d.columnLineage ?? {})) {
      if (inputs.length > 0) fields[name] = inputs.map(columnField);
    }
    facets.columnLineage = columnLineageDatasetFacet({
      fields,
      ...(d.datasetLineage && d.datasetLineage.length > 0
        ? { dataset: d.datasetLineage.map(columnField) }
        : {}),
    });
  }
  const hasStats = d.rows !== undefined || d.bytes !== undefined || d.files !== undefined;
  return {
    namespace: d.namespace,
    name: d.name,
    facets,
    ...(hasStats
      ? {
          outputFacets: {
            outputStatistics: outputStatisticsFacet({
              ...(d.rows === undefined ? {} : { rowCount: d.rows }),
              ...(d.bytes === undefined ? {} : { size: d.bytes }),
              ...(d.files === undefined ? {} : { fileCount: d.files }),
            }),
          },
        }
      : {}),
  } as OutputDataset;
}

function columnField(f: ResolvedInputField) {
  return columnInput(
    { namespace: f.namespace, name: f.name },
    f.field,
    ...f.transformations.map(
      (t): ColumnTransformation => ({ type: t.type, subtype: t.subtype, masking: t.masking ?? false }),
    ),
  );
}
