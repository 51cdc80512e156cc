/**
 * weir's public API. Internals stay unexported; what is here is what pipelines and
 * users' own tools may rely on.
 */

// connectors
export { createSource } from "./connectors/create-source.js";
export { CsvSource, type CsvSourceConfig } from "./connectors/csv-source.js";
export { defineSource, type SourceDefinition } from "./connectors/define-source.js";
export { EngineTableSink, type EngineTableSinkOptions } from "./connectors/engine-table-sink.js";
export { HttpSource, type HttpSourceConfig } from "./connectors/http-source.js";
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
export {
  ConfigError,
  ConnectorError,
  EngineError,
  ERROR_CODES,
  type ErrorCode,
  LakeError,
  PipelineError,
  QualityError,
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

// lake
export { type DatasetInfo, Lake } from "./lake/lake.js";
export { LakeDataset, type PartitionInfo } from "./lake/lake-dataset.js";
export { type PartitionColumn, type PartitionFilter, timePartitions } from "./lake/partitioning.js";
export { parseDatasetId, ZONES, type Zone } from "./lake/zones.js";
// metadata
export type { CursorStore, MetadataStore } from "./metadata/metadata-store.js";
export { MIGRATIONS } from "./metadata/migrations.js";
export { SqliteMetadataStore } from "./metadata/sqlite-metadata-store.js";
// orchestrator
export {
  definePipeline,
  defineTask,
  type PipelineDefinition,
  type TaskDefinition,
} from "./orchestrator/define-pipeline.js";
export { loadPipeline } from "./orchestrator/load-pipeline.js";
export { openRuntime, type WeirRuntime } from "./orchestrator/open-runtime.js";
export { recordRunEvents } from "./orchestrator/record-run-events.js";
export type {
  RunEvent,
  RunEventListener,
  RunOutput,
  RunSummary,
} from "./orchestrator/run-events.js";
export { type RunResult, runPipeline } from "./orchestrator/run-pipeline.js";
export type { TaskContext } from "./orchestrator/task-context.js";
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
