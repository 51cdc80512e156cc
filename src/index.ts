/**
 * weir's public API. Internals stay unexported; what is here is what pipelines and
 * users' own tools may rely on.
 */

// config: the project config and secrets
export { loadProjectConfig } from "./config/load-project-config.js";
export { defineConfig, type ProjectConfig, type ProjectConfigInput } from "./config/project-config.js";
export { redactingLogger, redactingStore } from "./config/redacting-store.js";
export { redactSecrets, Secret, secretFromEnv } from "./config/secret.js";
// connectors
export { createSource } from "./connectors/create-source.js";
export { CsvSource, type CsvSourceConfig } from "./connectors/csv-source.js";
export { defineSource, type SourceDefinition } from "./connectors/define-source.js";
export { EngineTableSink, type EngineTableSinkOptions } from "./connectors/engine-table-sink.js";
export { HttpSource, type HttpSourceConfig } from "./connectors/http-source.js";
export type { InferredField, InferredSchema } from "./connectors/inferred-schema.js";
export { JsonSource, type JsonSourceConfig } from "./connectors/json-source.js";
export { LakeSink, type LakeSinkOptions } from "./connectors/lake-sink.js";
export { MemorySink } from "./connectors/memory-sink.js";
export { MemorySource } from "./connectors/memory-source.js";
export { NdjsonSource, type NdjsonSourceConfig } from "./connectors/ndjson-source.js";
export { ParquetSource, type ParquetSourceConfig } from "./connectors/parquet-source.js";
export { PostgresSource, type PostgresSourceConfig } from "./connectors/postgres-source.js";
export type { Sink, WriteInput, WriteMode, WriteResult } from "./connectors/sink.js";
export type { ExtractResult, ReadContext, Rejection, Source } from "./connectors/source.js";
export { SqliteSource, type SqliteSourceConfig } from "./connectors/sqlite-source.js";
// core
export { batchFromRows, collectBatches, type RecordBatch, type Row, rowsFromBatch } from "./core/batch.js";
export { formatDuration, parseDuration } from "./core/duration.js";
export {
  ConfigError,
  ConnectorError,
  EngineError,
  ERROR_CODES,
  type ErrorCode,
  LakeError,
  PipelineError,
  QualityError,
  StreamError,
  TaskError,
  WeirError,
} from "./core/errors.js";
export {
  type DataInterval,
  dailyInterval,
  formatDate,
  formatTimestamp,
  parseLogicalDate,
} from "./core/interval.js";
export type { LogEvent, Logger, LogLevel } from "./core/log.js";
export { type WeirPaths, weirPaths } from "./core/paths.js";
export { type Field, type Schema, type TableRef, tableRef, WEIR_TYPES, type WeirType } from "./core/types.js";
// engines
export type { Dialect } from "./engines/dialect.js";
export { DuckDBEngine, type DuckDBEngineOptions } from "./engines/duckdb/duckdb-engine.js";
export type { CreateTableOptions, Engine, EngineCapabilities, EngineKind } from "./engines/engine.js";
export { openEngine } from "./engines/open-engine.js";
export { PostgresEngine, type PostgresEngineOptions } from "./engines/postgres/postgres-engine.js";
export { type WriteTableOptions, writeTable } from "./engines/table-writer.js";
export { type CopyTableOptions, copyTable } from "./engines/transfer.js";
// governance: the audit log
export { auditActor } from "./governance/audit/audit-actor.js";
export type { AuditVerification } from "./governance/audit/audit-chain.js";
export type { AuditEntry, AuditEntryInput } from "./governance/audit/audit-entry.js";
export { AuditLog, type AuditLogOptions, type ListAuditOptions } from "./governance/audit/audit-log.js";
export { GovernanceError } from "./governance/audit/governance-error.js";
export { storeDatabase } from "./governance/audit/store-database.js";
// governance: erasure of a data subject
export { entityKeysOf } from "./governance/erasure/entity-keys.js";
export { type EraseOptions, eraseSubject } from "./governance/erasure/erase-subject.js";
export { ErasureError } from "./governance/erasure/erasure-error.js";
export {
  type ErasureRecord,
  type ErasureRemoved,
  listErasures,
} from "./governance/erasure/erasure-record.js";
export type {
  ErasedDataset,
  ErasureMatch,
  ErasurePlan,
  ErasureReport,
  ErasureRuntime,
  ErasureSearchOptions,
  ErasureSubject,
  ErasureTarget,
  ErasureTargetKind,
  NotSearchable,
} from "./governance/erasure/erasure-types.js";
export { planErasure } from "./governance/erasure/find-subject.js";
export { parseErasureSubject } from "./governance/erasure/parse-subject.js";
export { subjectDigest } from "./governance/erasure/subject-digest.js";
export { loadLocalSecrets, secretsFileOf } from "./governance/local-secrets.js";
// governance: PII detection
export {
  classifyColumn,
  DEFAULT_PII_THRESHOLD,
  type PiiClassFinding,
  type PiiEvidence,
} from "./governance/pii/classify-column.js";
export type { PiiDetector, ValueKind } from "./governance/pii/detectors/pii-detector.js";
export { findPiiSpans, type PiiSpan } from "./governance/pii/find-pii-spans.js";
export { maskPiiSpans } from "./governance/pii/mask-pii-spans.js";
export {
  PII_CLASSES,
  PII_POLICIES,
  type PiiClass,
  type PiiPolicy,
  SUGGESTED_POLICY,
} from "./governance/pii/pii-class.js";
export {
  assertNoUnmaskedPii,
  type PiiGuardOptions,
  type PiiGuardResult,
} from "./governance/pii/pii-guard.js";
export { type PiiGuardFinding, PiiUnmaskedError } from "./governance/pii/pii-unmasked-error.js";
export {
  DEFAULT_PII_SAMPLE_ROWS,
  type PiiColumnReport,
  type PiiScanOptions,
  type PiiScanReport,
  scanTable,
} from "./governance/pii/scan-table.js";
// governance: dataset policies and the token vault
export { type ApplyPolicyOptions, applyPolicy } from "./governance/policies/apply-policy.js";
export { defineDatasetPolicy, parseDatasetPolicy } from "./governance/policies/define-dataset-policy.js";
export { normalizeForHash, piiDigest, tokenOf } from "./governance/policies/pii-digest.js";
export { PII_HASH_KEY_VARIABLE, type PolicySecrets } from "./governance/policies/policy-secrets.js";
export { type PolicySelectOptions, policySelect } from "./governance/policies/policy-select.js";
export type { PolicySource } from "./governance/policies/policy-source.js";
export {
  type PolicyStateResult,
  policyFingerprint,
  recordPolicyState,
} from "./governance/policies/policy-state.js";
export type {
  ColumnPolicy,
  ColumnPolicyInput,
  DatasetPolicy,
  DatasetPolicyInput,
  Generalization,
  HashNormalization,
  MaskKind,
  PolicyOutput,
  PolicyOutputInput,
} from "./governance/policies/policy-types.js";
export { loadPolicyFile, parsePolicyYaml } from "./governance/policies/policy-yaml.js";
export { type RecordTokensResult, recordTokens } from "./governance/policies/record-tokens.js";
export {
  GOVERNANCE_PERMISSIONS,
  type GovernancePermission,
  type GrantRecord,
} from "./governance/vault/governance-grants.js";
export { TOKEN_KEY_VARIABLE } from "./governance/vault/token-key.js";
export {
  type DetokenizeRequest,
  type TokenPair,
  TokenVault,
  type TokenVaultOptions,
} from "./governance/vault/token-vault.js";
// lake
export { type DatasetInfo, Lake } from "./lake/lake.js";
export { LakeDataset, type PartitionInfo, type RewriteOptions } from "./lake/lake-dataset.js";
export type { PartitionMatch, RewriteResult } from "./lake/lake-rewrite.js";
export { type PartitionColumn, type PartitionFilter, timePartitions } from "./lake/partitioning.js";
export { parseDatasetId, ZONES, type Zone } from "./lake/zones.js";
// lineage: the store of OpenLineage events, graph queries and diagrams
export { impact } from "./lineage/graph/impact.js";
export type {
  LineageDirection,
  LineageGraph,
  LineageGraphEdge,
  LineageNode,
} from "./lineage/graph/lineage-graph.js";
export {
  isExternalDataset,
  type ProducersMissingOptions,
  producersMissing,
} from "./lineage/graph/producers-missing.js";
export { renderDot } from "./lineage/graph/render-dot.js";
export { renderMermaid } from "./lineage/graph/render-mermaid.js";
export { renderTree } from "./lineage/graph/render-tree.js";
export { upstream } from "./lineage/graph/upstream.js";
export type { LineageQueryOptions, LineageTarget } from "./lineage/graph/walk-lineage.js";
// lineage: OpenLineage events (spec 2-0-2) and their facets, named by OpenLineage's conventions
export {
  columnInput,
  columnLineageDatasetFacet,
  dataSourceDatasetFacet,
  direct,
  indirect,
  lifecycleStateChangeDatasetFacet,
  schemaDatasetFacet,
  weirDatasetFacet,
} from "./lineage/openlineage/dataset-facets.js";
export {
  duckdbDataset,
  fileDataset,
  httpDataset,
  lakeDataset,
  localFileDataset,
  natsDataset,
  objectStoreDataset,
  type PostgresLocation,
  postgresDataset,
  sourceDataset,
  sqliteDataset,
  tableDataset,
} from "./lineage/openlineage/dataset-naming.js";
export { FACET_SCHEMA_URLS, type FacetKey } from "./lineage/openlineage/facet-schema-urls.js";
export { dataQualityAssertionsFacet, dataQualityMetricsFacet } from "./lineage/openlineage/input-facets.js";
export {
  documentationJobFacet,
  jobTypeJobFacet,
  sourceCodeJobFacet,
  sqlJobFacet,
  WEIR_INTEGRATION,
} from "./lineage/openlineage/job-facets.js";
export { pipelineJob, qualityJob, streamJob, taskJob } from "./lineage/openlineage/job-naming.js";
export { outputStatisticsFacet } from "./lineage/openlineage/output-facets.js";
export {
  DEFAULT_JOB_NAMESPACE,
  OPENLINEAGE_SPEC_VERSION,
  RUN_EVENT_SCHEMA_URL,
  WEIR_PRODUCER,
  WEIR_VERSION,
} from "./lineage/openlineage/producer.js";
export { type RunEventInput, runEvent } from "./lineage/openlineage/run-event.js";
export {
  errorMessageRunFacet,
  nominalTimeRunFacet,
  parentRunFacet,
  processingEngineRunFacet,
  type RunReference,
} from "./lineage/openlineage/run-facets.js";
export { isRunId, newRunId, runIdTime } from "./lineage/openlineage/run-id.js";
export {
  type BaseFacet,
  type ColumnInputField,
  type ColumnLineageDatasetFacet,
  type ColumnTransformation,
  type DataQualityAssertion,
  type Dataset as OpenLineageDataset,
  type DatasetFacets,
  type DatasetIdentity,
  type InputDataset,
  type InputDatasetFacets,
  type Job as OpenLineageJob,
  type JobFacets,
  type JobIdentity,
  type OutputDataset,
  type OutputDatasetFacets,
  RUN_EVENT_TYPES,
  type Run as OpenLineageRun,
  type RunEvent as OpenLineageRunEvent,
  type RunEventType as OpenLineageEventType,
  type RunFacets,
  type SchemaField,
} from "./lineage/openlineage/types.js";
// lineage: column lineage derived from SQL (DuckDB's parser), as the columnLineage facet sees it
export {
  type ColumnCatalog,
  type ColumnLineage,
  type DatasetName,
  type FileName,
  type InputField,
  type SelectLineage,
  type SelectLineageOptions,
  type SqlDialectName,
  type StatementKind,
  type StatementLineage,
  type StatementLineageOptions,
  type SyncColumnCatalog,
  selectLineage,
  statementLineage,
  type TableName,
  type Transformation,
  type TransformationSubtype,
  type TransformationType,
} from "./lineage/sql/column-lineage.js";
export { columnLineageFacet } from "./lineage/sql/column-lineage-facet.js";
export { inputFieldText, lineageText } from "./lineage/sql/lineage-text.js";
export { type LineageThroughput, lineageThroughput } from "./lineage/sql/lineage-throughput.js";
export { policyMaskedColumns } from "./lineage/sql/policy-masked-columns.js";
export { LineageDatasetError } from "./lineage/store/lineage-dataset-error.js";
export type {
  DatasetKey,
  JobKey,
  LineageColumnEdge,
  LineageDataset,
  LineageEdge,
  LineageEventRecord,
} from "./lineage/store/lineage-records.js";
export { type LineageEventFilter, LineageStore } from "./lineage/store/lineage-store.js";
export type { RecordedEvent } from "./lineage/store/record-event.js";
export type { DatasetColumn } from "./lineage/store/resolve-dataset.js";
export { parseStoredEvent, type StoredEvent } from "./lineage/store/stored-event.js";
// lineage transports: where events go (file, HTTP endpoint, console), configured by `lineage` in weir.config.ts
export { CompositeTransport } from "./lineage/transports/composite-transport.js";
export { ConsoleTransport } from "./lineage/transports/console-transport.js";
export {
  type CreateLineageTransportOptions,
  createLineageTransport,
} from "./lineage/transports/create-lineage-transport.js";
export { FileTransport, type FileTransportOptions } from "./lineage/transports/file-transport.js";
export {
  HttpTransport,
  type HttpTransportOptions,
  type HttpTransportStats,
} from "./lineage/transports/http-transport.js";
export {
  type LineageConfig,
  type LineageConfigInput,
  type LineageTransportConfig,
  lineageConfigSchema,
} from "./lineage/transports/lineage-config.js";
export { MemoryTransport } from "./lineage/transports/memory-transport.js";
export type { LineageTransport } from "./lineage/transports/transport.js";
// metadata
export type {
  CursorStore,
  MetadataStore,
  RunRecord,
  RunType,
  TaskInstanceRecord,
  TaskInstanceState,
} from "./metadata/metadata-store.js";
export { MIGRATIONS } from "./metadata/migrations.js";
export { openMetadataStore } from "./metadata/open-metadata-store.js";
export { PostgresMetadataStore } from "./metadata/postgres-metadata-store.js";
export type { QualityCheckRecord, QualityStore } from "./metadata/quality-store.js";
export { SqliteMetadataStore } from "./metadata/sqlite-metadata-store.js";
// monitoring
export {
  type GenerateAlertRulesInput,
  type GeneratedAlertRules,
  generateAlertRules,
} from "./monitoring/alerts/generate-alert-rules.js";
export {
  createMetricsEndpoint,
  type MetricsEndpointOptions,
  type MetricsResponse,
} from "./monitoring/metrics-endpoint.js";
// notifications
export { createChannels } from "./notifications/create-channels.js";
export { EmailChannel, type EmailChannelOptions } from "./notifications/email-channel.js";
export type { Notification, NotificationChannel, NotificationKind } from "./notifications/notification.js";
export { type DeliveryResult, type NotificationRoutes, Notifier } from "./notifications/notifier.js";
export { slackMessage, WebhookChannel, type WebhookChannelOptions } from "./notifications/webhook-channel.js";
// orchestrator
export { type RetryPolicy, retryDelay } from "./orchestrator/backoff.js";
export {
  definePipeline,
  defineTask,
  type PipelineDefinition,
  type PipelineSpec,
  type TaskDefinition,
  type TaskOptions,
  type TriggerRule,
} from "./orchestrator/define-pipeline.js";
export {
  DistributedTaskRunner,
  type DistributedTaskRunnerOptions,
} from "./orchestrator/distributed/distributed-task-runner.js";
export { openTaskRunner } from "./orchestrator/distributed/open-task-runner.js";
export { DEFAULT_QUEUE_SCHEMA, type RemoteJob } from "./orchestrator/distributed/queue-job.js";
export { WeirWorker, type WeirWorkerOptions } from "./orchestrator/distributed/weir-worker.js";
export { type WorkerRecord, WorkerRegistry } from "./orchestrator/distributed/worker-registry.js";
export { type ExecuteRunOptions, executeRun } from "./orchestrator/executor/execute-run.js";
export { type ReapResult, reapZombies } from "./orchestrator/executor/reap-zombies.js";
export { clearTasks, resumeRun } from "./orchestrator/executor/resume-run.js";
export type {
  RemoteAttemptEnd,
  RemoteRunningAttempt,
  TaskRunner,
  TaskRunRequest,
} from "./orchestrator/executor/task-runner.js";
export { loadPipeline } from "./orchestrator/load-pipeline.js";
export { openRuntime, type WeirRuntime } from "./orchestrator/open-runtime.js";
export { missingPartitions } from "./orchestrator/partitions/missing-partitions.js";
export {
  type PartitionGrain,
  type PartitionScheme,
  partitionScheme,
  type TimePartition,
} from "./orchestrator/partitions/partition-scheme.js";
export { RangeSet, type TimeRange } from "./orchestrator/partitions/range-set.js";
export {
  type PipelineEntry,
  type PipelineListing,
  type PipelineLoadFailure,
  PipelineRegistry,
} from "./orchestrator/pipeline-registry.js";
export type {
  DatasetCounts,
  DatasetSummary,
  RunEvent,
  RunEventListener,
  RunOutcome,
  RunOutput,
  RunSummary,
} from "./orchestrator/run-events.js";
export { type RunResult, runPipeline } from "./orchestrator/run-pipeline.js";
export { backfillDates } from "./orchestrator/schedule/backfill-dates.js";
export { type DueRunsOptions, dueRuns, nextDueAt } from "./orchestrator/schedule/due-runs.js";
export { parseSchedule } from "./orchestrator/schedule/parse-schedule.js";
export type { Schedule } from "./orchestrator/schedule/schedule.js";
export {
  type BackfillOptions,
  type BackfillPlan,
  type BackfillReport,
  DEFAULT_BACKFILL_CONCURRENCY,
  planBackfill,
  runBackfill,
} from "./orchestrator/scheduler/backfill.js";
export { Scheduler, type SchedulerOptions, type TickReport } from "./orchestrator/scheduler/scheduler.js";
export { stagingSchemaOf } from "./orchestrator/staging.js";
export type {
  DatasetRowsRecord,
  TaskContext,
  TaskExtractOptions,
  TaskExtractResult,
  TaskLogger,
} from "./orchestrator/task-context.js";
export { type DatasetCondition, parseDatasetCondition } from "./orchestrator/triggers/dataset-condition.js";
export { type DatasetEvent, datasetTriggerDue } from "./orchestrator/triggers/dataset-trigger-due.js";
// quality: suites, actions, history, anomalies, profiling
export { type AnomalyOptions, type AnomalyResult, detectAnomaly } from "./quality/anomaly.js";
export type {
  ExpectationConfig,
  ExpectationKind,
  ExpectationResult,
} from "./quality/expectations/expectation.js";
export { prepareExpectationSql } from "./quality/expectations/prepare-engine.js";
export { expectationKind, expectationTypes, parseExpectation } from "./quality/expectations/registry.js";
export { checkFreshness, type FreshnessResult, type FreshnessRule } from "./quality/freshness.js";
export { renderHtmlReport } from "./quality/html-report.js";
export { type ColumnProfile, type DatasetProfile, profileDataset } from "./quality/profile.js";
export { exportQualityHistory, qualityHistory } from "./quality/quality-history.js";
export type { QualityScore } from "./quality/quality-score.js";
export {
  QUARANTINE_SCHEMA,
  type QuarantineResult,
  quarantine,
  quarantineTable,
} from "./quality/quarantine.js";
// quality
export {
  between,
  type CheckRowsResult,
  checkRows,
  matches,
  notNull,
  type RowCheck,
  uniqueBy,
} from "./quality/row-checks.js";
export { type RunSuiteOptions, runSuite } from "./quality/run-suite.js";
export { compareSchema, type SchemaContract, type SchemaContractResult } from "./quality/schema-contract.js";
export { suggestSuite, suiteToYaml } from "./quality/suggest-suite.js";
export { defineSuite, parseSuite, type Suite, type SuiteInput } from "./quality/suite.js";
export { SuiteFailedError } from "./quality/suite-failed-error.js";
export type { SuiteCheck, SuiteRunResult } from "./quality/suite-result.js";
export { loadSuiteFile, parseSuiteYaml } from "./quality/suite-yaml.js";
export {
  failingRowPredicate,
  type ValidateOptions,
  type ValidationResult,
  validateDataset,
} from "./quality/validate-dataset.js";
// server
export { createServerApp } from "./server/create-server-app.js";
export { RunEventHub } from "./server/events/run-event-hub.js";
export type { MetricsRenderer, ServerAppOptions, StreamResetter } from "./server/server-options.js";
export { type RunningServer, type StartServerOptions, startServer } from "./server/start-server.js";
// streaming
export {
  type AggregateSpec,
  approxCountDistinct,
  approxQuantile,
  avg,
  collectSet,
  count,
  countDistinct,
  max,
  min,
  sum,
} from "./streaming/aggregates/index.js";
export type {
  DeadLetter,
  EpochOutput,
  EpochSink,
  LateEvent,
  PartitionReader,
  PartitionStatus,
  StartPosition,
  StreamCheckpointStore,
  StreamCounts,
  StreamSource,
} from "./streaming/contracts.js";
export {
  type DerivedColumn,
  defineStreamJob,
  type EventTimeSpec,
  type StreamJobDefinition,
  type StreamJobInput,
  type StreamSourceSpec,
  type WindowedOutput,
} from "./streaming/define-stream-job.js";
export { eventDate, eventHour } from "./streaming/derive-time.js";
export type { EventFieldType, EventSchema, StreamEvent } from "./streaming/event-schema.js";
export { type RunStreamJobOptions, runStreamJob, type StreamRunResult } from "./streaming/run-stream-job.js";
export type { StreamRunEvent } from "./streaming/stream-events.js";
export { hop, session, tumbling, type WindowSpec } from "./streaming/windows/index.js";
export {
  type AggregateComparison,
  AggregateRefreshError,
  compareWithFullRecompute,
  type RefreshResult,
  recomputeAggregate,
  refreshAggregate,
  refreshMaterializedView,
} from "./warehouse/aggregates/index.js";
export { type ContentHash, tableContentHash } from "./warehouse/content-hash.js";
export { type ApplyOptions, type ApplyResult, applyWarehouse } from "./warehouse/ddl/apply-warehouse.js";
export { ensurePartitions } from "./warehouse/ddl/fact-partitions.js";
export {
  type PlanStep,
  type PlanStepKind,
  planWarehouse,
  type WarehousePlan,
} from "./warehouse/ddl/plan-warehouse.js";
export { ensureUnknownMember } from "./warehouse/ddl/unknown-member.js";
export {
  dateKeySql,
  FactLoadError,
  type FactLoadResult,
  type LoadFactsOptions,
  loadFacts,
  type RepairResult,
  repairUnknownMembers,
  timeKeySql,
} from "./warehouse/facts/index.js";
// warehouse modelling
export {
  type DateDimensionModel,
  dateDimension,
  type TimeDimensionModel,
  timeDimension,
} from "./warehouse/model/calendar-dimensions.js";
export type { ColumnInput, ColumnSpec, WarehouseType } from "./warehouse/model/column-types.js";
export {
  type AggregateModel,
  type AggregateSpec as WarehouseAggregateSpec,
  defineAggregate,
} from "./warehouse/model/define-aggregate.js";
export {
  type DimensionModel,
  type DimensionSpec,
  defineDimension,
} from "./warehouse/model/define-dimension.js";
export {
  type DimensionKeySpec,
  defineFact,
  type FactModel,
  type FactSpec,
} from "./warehouse/model/define-fact.js";
export {
  defineWarehouse,
  modelTable,
  type TableModel,
  type WarehouseModel,
} from "./warehouse/model/define-warehouse.js";
export { ModelError } from "./warehouse/model/model-error.js";
export {
  loadSnapshot,
  type SnapshotLoadOptions,
  type SnapshotLoadResult,
} from "./warehouse/scd/load-snapshot.js";
export { SnapshotLoadError } from "./warehouse/scd/snapshot-load-error.js";
