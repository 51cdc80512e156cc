/**
 * OpenLineage RunEvents and the facets weir emits, as TypeScript types. They follow the
 * vendored schemas in `schemas/` (core spec 2-0-2; facet versions in `facet-schema-urls.ts`):
 * field names and optionality are the spec's, so a value of these types serialises to JSON
 * the spec accepts. Facet maps also accept other producers' facets by name.
 */

/** RunEvent.eventType in spec 2-0-2. */
export const RUN_EVENT_TYPES = ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/** Every facet carries who made it and the schema it follows. */
export interface BaseFacet {
  _producer: string;
  _schemaURL: string;
}

/** A job's identity: its namespace (the scheduler) and its name in that namespace. */
export interface JobIdentity {
  namespace: string;
  name: string;
}

/** A dataset's identity: its namespace (the data source) and its name in that namespace. */
export interface DatasetIdentity {
  namespace: string;
  name: string;
}

// ── run facets ───────────────────────────────────────────────────────────────

export interface ParentRunFacet extends BaseFacet {
  run: { runId: string };
  job: JobIdentity;
  /** The run that started the whole chain (ParentRunFacet 1-1-0). */
  root?: { run: { runId: string }; job: JobIdentity };
}

export interface NominalTimeRunFacet extends BaseFacet {
  /** ISO-8601, included. */
  nominalStartTime: string;
  /** ISO-8601, excluded. */
  nominalEndTime?: string;
}

export interface ErrorMessageRunFacet extends BaseFacet {
  message: string;
  programmingLanguage: string;
  stackTrace?: string;
}

export interface ProcessingEngineRunFacet extends BaseFacet {
  version: string;
  name?: string;
  openlineageAdapterVersion?: string;
}

export interface RunFacets {
  parent?: ParentRunFacet;
  nominalTime?: NominalTimeRunFacet;
  errorMessage?: ErrorMessageRunFacet;
  processing_engine?: ProcessingEngineRunFacet;
  [name: string]: BaseFacet | undefined;
}

// ── job facets ───────────────────────────────────────────────────────────────

export type ProcessingType = "BATCH" | "STREAMING" | "SERVICE";

export interface JobTypeJobFacet extends BaseFacet {
  processingType: ProcessingType;
  integration: string;
  /** Integration-specific: weir uses JOB (a pipeline run), TASK, QUERY, STREAM, CHECK. */
  jobType?: string;
}

export interface SQLJobFacet extends BaseFacet {
  query: string;
  dialect?: string;
}

export interface SourceCodeJobFacet extends BaseFacet {
  language: string;
  sourceCode: string;
}

export interface DocumentationJobFacet extends BaseFacet {
  description: string;
}

export interface JobFacets {
  jobType?: JobTypeJobFacet;
  sql?: SQLJobFacet;
  sourceCode?: SourceCodeJobFacet;
  documentation?: DocumentationJobFacet;
  [name: string]: BaseFacet | undefined;
}

// ── dataset facets ───────────────────────────────────────────────────────────

export interface SchemaField {
  name: string;
  type?: string;
  description?: string;
  /** Nested struct fields (SchemaDatasetFacet 1-1-x). */
  fields?: SchemaField[];
}

export interface SchemaDatasetFacet extends BaseFacet {
  fields: SchemaField[];
}

export interface DatasourceDatasetFacet extends BaseFacet {
  name?: string;
  uri?: string;
}

export type TransformationType = "DIRECT" | "INDIRECT";

/** ColumnLineageDatasetFacet 1-2-0: how an input field reached the output. */
export interface ColumnTransformation {
  type: TransformationType;
  /** DIRECT: IDENTITY, TRANSFORMATION, AGGREGATION; INDIRECT: JOIN, GROUP_BY, FILTER, SORT, WINDOW, CONDITIONAL. */
  subtype?: string;
  description?: string;
  masking?: boolean;
}

export interface ColumnInputField extends DatasetIdentity {
  field: string;
  transformations?: ColumnTransformation[];
}

export interface ColumnLineageDatasetFacet extends BaseFacet {
  /** Output field → the input fields it was computed from. */
  fields: Record<string, { inputFields: ColumnInputField[] }>;
  /** Input fields that affect the whole dataset (filters, join keys, grouping): indirect lineage. */
  dataset?: ColumnInputField[];
}

export type LifecycleStateChange = "ALTER" | "CREATE" | "DROP" | "OVERWRITE" | "RENAME" | "TRUNCATE";

export interface LifecycleStateChangeDatasetFacet extends BaseFacet {
  lifecycleStateChange: LifecycleStateChange;
  previousIdentifier?: DatasetIdentity;
}

/** weir's own facet: the name weir knows the dataset by (`lake.raw.customers`). */
export interface WeirDatasetFacet extends BaseFacet {
  name: string;
}

export interface DatasetFacets {
  schema?: SchemaDatasetFacet;
  dataSource?: DatasourceDatasetFacet;
  columnLineage?: ColumnLineageDatasetFacet;
  lifecycleStateChange?: LifecycleStateChangeDatasetFacet;
  weir?: WeirDatasetFacet;
  [name: string]: BaseFacet | undefined;
}

// ── input and output dataset facets ─────────────────────────────────────────

export interface DataQualityAssertion {
  /** The expectation's type, e.g. `expect_column_values_to_not_be_null`. */
  assertion: string;
  success: boolean;
  column?: string;
}

export interface DataQualityAssertionsDatasetFacet extends BaseFacet {
  assertions: DataQualityAssertion[];
}

export interface ColumnMetrics {
  nullCount?: number;
  distinctCount?: number;
  sum?: number;
  count?: number;
  min?: number;
  max?: number;
  /** Quantile ("0.5") → value. */
  quantiles?: Record<string, number>;
}

export interface DataQualityMetricsInputDatasetFacet extends BaseFacet {
  rowCount?: number;
  bytes?: number;
  fileCount?: number;
  columnMetrics: Record<string, ColumnMetrics>;
}

export interface OutputStatisticsOutputDatasetFacet extends BaseFacet {
  rowCount?: number;
  /** Bytes written. */
  size?: number;
  fileCount?: number;
}

export interface InputDatasetFacets {
  dataQualityAssertions?: DataQualityAssertionsDatasetFacet;
  dataQualityMetrics?: DataQualityMetricsInputDatasetFacet;
  [name: string]: BaseFacet | undefined;
}

export interface OutputDatasetFacets {
  outputStatistics?: OutputStatisticsOutputDatasetFacet;
  [name: string]: BaseFacet | undefined;
}

// ── the event ────────────────────────────────────────────────────────────────

export interface Dataset extends DatasetIdentity {
  facets?: DatasetFacets;
}

export interface InputDataset extends Dataset {
  inputFacets?: InputDatasetFacets;
}

export interface OutputDataset extends Dataset {
  outputFacets?: OutputDatasetFacets;
}

export interface Run {
  /** A UUID; weir makes v7 (time-ordered) ids, see `newRunId`. */
  runId: string;
  facets?: RunFacets;
}

export interface Job extends JobIdentity {
  facets?: JobFacets;
}

/** An OpenLineage RunEvent (spec 2-0-2, `#/$defs/RunEvent`). */
export interface RunEvent {
  eventType: RunEventType;
  /** ISO-8601 date-time. */
  eventTime: string;
  run: Run;
  job: Job;
  inputs: InputDataset[];
  outputs: OutputDataset[];
  producer: string;
  schemaURL: string;
}
