import { z } from "zod";
import { ConnectorError } from "../core/errors.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { columnTypesConfig, defineSource, parseSourceConfig } from "./define-source.js";
import { describeRelation, extractFileScan } from "./file-extract.js";
import { FileSource } from "./file-source.js";
import { incrementalConfig } from "./incremental.js";
import { inferredSchemaOf } from "./inferred-schema.js";
import { listFiles } from "./peek-files.js";
import type { ExtractResult, ReadContext } from "./source.js";

export const parquetSourceConfig = z.object({
  path: z.string().min(1).describe("a Parquet file or a glob such as `lake/orders/**/*.parquet`"),
  hivePartitioning: z
    .boolean()
    .default(true)
    .describe("read `key=value` folder names as columns (so filters on them skip whole folders)"),
  unionByName: z.boolean().default(false).describe("combine files whose columns differ, by column name"),
  columns: columnTypesConfig.optional(),
  incremental: incrementalConfig.optional(),
  batchSize: z.number().int().positive().optional().describe("rows per batch of `read()`"),
});

export type ParquetSourceConfig = z.input<typeof parquetSourceConfig>;

/**
 * Parquet files (with hive partitions) read by DuckDB's `read_parquet`. The schema comes
 * from the files; `columns` casts chosen columns. Parquet is typed, so nothing is
 * rejected; the interval filter is pushed into the scan, where row-group statistics and
 * partition folders let DuckDB skip data, and the rows outside it are counted from the
 * files' metadata as `rowsSkipped`. A 0-byte file is not Parquet (a file without rows still
 * has its schema in a footer), so it is an error naming the file.
 */
export class ParquetSource extends FileSource<z.output<typeof parquetSourceConfig>> {
  readonly type = "parquet";
  private cachedSchema: Promise<Schema> | undefined;

  constructor(config: ParquetSourceConfig) {
    super(parseSourceConfig("parquet", parquetSourceConfig, config));
  }

  private scanSql(engine: Engine): string {
    const c = this.config;
    return `read_parquet(${engine.dialect.quoteLiteral(c.path)}, hive_partitioning = ${c.hivePartitioning}, union_by_name = ${c.unionByName})`;
  }

  private inferSchema(engine: Engine): Promise<Schema> {
    this.cachedSchema ??= this.describe(engine);
    const schema = this.cachedSchema;
    // A failure is not remembered: a file being written may be complete by the next read.
    schema.catch(() => {
      if (this.cachedSchema === schema) this.cachedSchema = undefined;
    });
    return schema;
  }

  private async describe(engine: Engine): Promise<Schema> {
    // DuckDB's own message ("too small to be a Parquet file") does not say the file is empty.
    const empty = (await listFiles(engine, this.config.path)).filter((f) => f.bytes === 0).map((f) => f.path);
    if (empty.length > 0) {
      const single = empty.length === 1 && empty[0] === this.location;
      const what = single
        ? "file is empty (0 bytes), not a Parquet file"
        : `${empty.length === 1 ? "file is" : "files are"} empty (0 bytes): ${empty.join(", ")}; not a Parquet file`;
      throw new ConnectorError(
        "CONNECTOR_READ_FAILED",
        `${this.location}: ${what} (one has at least a header and a footer)`,
        { details: { location: this.location, files: empty } },
      );
    }
    return describeRelation(engine, this.scanSql(engine), this.config.columns ?? {}, this.location);
  }

  async schema(): Promise<Schema> {
    return this.inferSchema(await this.local.get());
  }

  protected async extractInEngine(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
  ): Promise<ExtractResult> {
    const cursorColumn = this.config.incremental?.cursorColumn;
    const schema = await this.inferSchema(engine);
    const result = await extractFileScan(engine, target, context, {
      location: this.location,
      schema,
      cursorColumn,
      cheapCount: true,
      relation: async () => this.scanSql(engine),
      rejections: async () => [],
    });
    result.inferredSchema = inferredSchemaOf(schema, this.config.columns ?? {});
    return result;
  }
}

export const parquetSourceDefinition = defineSource({
  type: "parquet",
  description: "Parquet files (a path or a glob, with hive partitions), read by DuckDB",
  config: parquetSourceConfig,
  notes: `**Types.** From the files' schema; \`columns\` casts chosen columns. With \`hivePartitioning\`, DuckDB
types \`key=value\` folder values by their text: \`year=2024\` is a bigint, \`day=2024-03-07\` a date, and
\`month=03\` or \`code=007\` stay text (a leading zero is kept); declare a partition column in \`columns\` to
read it otherwise. A lake dataset read through the lake (\`dataset.scanSql()\`, \`weir sql\`'s views) keeps
the types its partition columns were written with, and time partitions (\`timePartitions\`) read as
integers.`,
  create: (config) => new ParquetSource(config),
});
