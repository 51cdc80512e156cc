import { mkdir, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ConfigError, LakeError } from "../core/errors.js";
import type { Engine } from "../engines/engine.js";
import { listParquetFiles, resolveRelative } from "./lake-files.js";
import type { PreparedInput } from "./lake-input.js";
import type { ManifestFile, SchemaColumn } from "./manifest.js";
import { escapePartitionSql } from "./partition-escape.js";
import { type PartitionColumn, parsePartitionPath } from "./partitioning.js";

export interface StageRequest {
  dataset: string;
  engine: Engine;
  input: PreparedInput;
  partitionBy: readonly PartitionColumn[];
  partitionColumns: readonly string[];
  stagingDir: string;
  commitId: string;
  /** Called with the data's schema before anything is written; throws to refuse the write. */
  checkSchema(schema: readonly SchemaColumn[]): void;
}

export interface StagedFiles {
  files: ManifestFile[];
  /**
   * Columns of the written data as the engine typed them, partition columns included;
   * undefined when the input had no batches at all (so no schema).
   */
  schema: SchemaColumn[] | undefined;
}

export const NOTHING_STAGED: StagedFiles = { files: [], schema: undefined };

/**
 * Has the engine write the input as zstd Parquet into the commit's staging folder, Hive
 * partitioned (`col=value/part-<commitId>-<i>.parquet`), and describes the files written.
 * The data goes from the engine to disk directly; JS only sees file names and counts.
 */
export async function stageFiles(request: StageRequest): Promise<StagedFiles> {
  const { engine, input, partitionBy, partitionColumns, stagingDir, commitId } = request;
  const dialect = engine.dialect;
  const inputColumns = await describeQuery(engine, input.sql, input.params);
  const select = partitionedSelect(request, inputColumns);
  const schema = await describeQuery(engine, select, input.params);
  if (partitionColumns.length > 0 && schema.length === partitionColumns.length) {
    throw new ConfigError(
      `cannot write ${request.dataset}: every column (${partitionColumns.join(", ")}) is a partition column, so the Parquet files would have no columns`,
      { details: { dataset: request.dataset, partitionBy: partitionColumns } },
    );
  }
  request.checkSchema(schema);

  const pattern = dialect.quoteLiteral(`part-${commitId}-{i}`);
  if (partitionBy.length > 0) {
    await mkdir(dirname(stagingDir), { recursive: true });
    const columns = partitionColumns.map((c) => dialect.quoteIdent(c)).join(", ");
    await engine.run(
      `COPY (${escapedSelect(engine, select, schema, partitionColumns)}) TO ${dialect.quoteLiteral(stagingDir)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, PARTITION_BY (${columns}), FILENAME_PATTERN ${pattern})`,
      input.params,
    );
  } else {
    await mkdir(stagingDir, { recursive: true });
    const file = join(stagingDir, `part-${commitId}-0.parquet`);
    await engine.run(
      `COPY (${select}) TO ${dialect.quoteLiteral(file)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`,
      input.params,
    );
  }
  return { files: await describeStagedFiles(engine, stagingDir, commitId), schema };
}

/** The input with partition expressions evaluated into columns (replacing same-named ones). */
function partitionedSelect(request: StageRequest, inputColumns: readonly SchemaColumn[]): string {
  const { dialect } = request.engine;
  const names = new Set(inputColumns.map((c) => c.name));
  const expressions = new Map<string, string>();
  for (const column of request.partitionBy) {
    if (typeof column !== "string") {
      expressions.set(column.name, column.expression);
    } else if (!names.has(column)) {
      throw new ConfigError(
        `cannot partition ${request.dataset} by "${column}": the input has no such column (columns: ${[...names].join(", ")}); use { name, expression } to compute it`,
        { details: { dataset: request.dataset, column, columns: [...names] } },
      );
    }
  }
  const items = inputColumns.map((c) => {
    const expression = expressions.get(c.name);
    return expression === undefined
      ? dialect.quoteIdent(c.name)
      : `(${expression}) AS ${dialect.quoteIdent(c.name)}`;
  });
  for (const [name, expression] of expressions) {
    if (!names.has(name)) items.push(`(${expression}) AS ${dialect.quoteIdent(name)}`);
  }
  return `SELECT ${items.join(", ")} FROM (${request.input.sql}) AS "_weir_input"`;
}

/**
 * The data with text partition values that DuckDB would read back as NULL escaped
 * (`partition-escape.ts`), since the folder name is all that keeps a partition's value.
 */
function escapedSelect(
  engine: Engine,
  select: string,
  schema: readonly SchemaColumn[],
  partitionColumns: readonly string[],
): string {
  const text = partitionColumns.filter((c) => schema.find((s) => s.name === c)?.type === "VARCHAR");
  if (text.length === 0) return select;
  const q = (name: string) => engine.dialect.quoteIdent(name);
  const replaced = text.map((c) => `${escapePartitionSql(q(c))} AS ${q(c)}`);
  return `SELECT * REPLACE (${replaced.join(", ")}) FROM (${select}) AS "_weir_escaped"`;
}

async function describeQuery(
  engine: Engine,
  sql: string,
  params: readonly unknown[],
): Promise<SchemaColumn[]> {
  const rows = await engine.query(`DESCRIBE SELECT * FROM (${sql}) AS "_weir_described"`, params);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/**
 * Lists the staged files with partition values (from their folder names), row counts
 * (from the Parquet footers) and sizes. Empty files (an unpartitioned write of zero
 * rows) are deleted rather than committed.
 */
async function describeStagedFiles(
  engine: Engine,
  stagingDir: string,
  commitId: string,
): Promise<ManifestFile[]> {
  const paths = await listParquetFiles(stagingDir);
  if (paths.length === 0) return [];
  const absolute = paths.map((p) => resolveRelative(stagingDir, p));
  const list = absolute.map((p) => engine.dialect.quoteLiteral(p)).join(", ");
  const rows = await engine.query(`SELECT file_name, num_rows FROM parquet_file_metadata([${list}])`);
  const counts = new Map(rows.map((r) => [String(r.file_name), Number(r.num_rows)]));
  const files: ManifestFile[] = [];
  for (let i = 0; i < paths.length; i++) {
    const rowCount = counts.get(absolute[i]!);
    if (rowCount === undefined) {
      throw new LakeError("LAKE_COMMIT_FAILED", `staged file ${absolute[i]} has no Parquet footer metadata`, {
        details: { file: absolute[i] },
      });
    }
    if (rowCount === 0) {
      await unlink(absolute[i]!);
      continue;
    }
    const { size } = await stat(absolute[i]!);
    files.push({
      path: paths[i]!,
      partition: parsePartitionPath(paths[i]!),
      rows: rowCount,
      bytes: size,
      commitId,
    });
  }
  return files;
}
