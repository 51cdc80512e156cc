import type { Dialect } from "../engines/dialect.js";
import { resolveRelative } from "./lake-files.js";
import type { Manifest, ManifestFile, SchemaColumn } from "./manifest.js";
import { isEscapedValue, unescapePartitionSql } from "./partition-escape.js";
import { partitionColumnName, partitionReadType } from "./partitioning.js";

/** Each partition column's read type: as written (the manifest), time partitions as INTEGER. */
function partitionTypes(manifest: Manifest): Map<string, string> {
  const written = new Map(manifest.schema.map((c) => [c.name, c.type]));
  return new Map(
    manifest.partitionColumns.map((name) => {
      const column = manifest.partitionBy.find((c) => partitionColumnName(c) === name);
      return [name, partitionReadType(column, written.get(name) ?? "VARCHAR")];
    }),
  );
}

/**
 * A FROM-able DuckDB expression reading exactly `files` of a dataset:
 * `read_parquet([...], hive_partitioning = true, union_by_name = true, hive_types = {...})`;
 * with `fileColumn`, each row also carries the absolute path of its file in that column.
 *
 * Partition values live in folder names, so their types come from the manifest
 * (`hive_types`) rather than DuckDB's guess, which would read `month=03` as text but
 * `year=2024` as a number: an INTEGER column reads back as INTEGER, a DATE as DATE, text
 * as text (`code=007` stays "007"), and a time partition (`timePartitions`) as INTEGER. `union_by_name` lets files from before a column was added
 * be read together with newer ones. When some files hold escaped partition values
 * (`partition-escape.ts`), the expression is a subquery that unescapes them.
 */
export function readParquetSql(
  dialect: Dialect,
  datasetDir: string,
  manifest: Manifest,
  files: readonly ManifestFile[],
  options: { fileColumn?: string } = {},
): string {
  const list = files.map((f) => dialect.quoteLiteral(resolveRelative(datasetDir, f.path))).join(", ");
  const settings = ["hive_partitioning = true", "union_by_name = true"];
  // Each row's file, under a name of the caller's choosing (a data column may be called `filename`).
  if (options.fileColumn !== undefined)
    settings.push(`filename = ${dialect.quoteLiteral(options.fileColumn)}`);
  const types = partitionTypes(manifest);
  const hiveTypes = manifest.partitionColumns.map(
    (c) => `${dialect.quoteLiteral(c)}: ${dialect.quoteLiteral(types.get(c) ?? "VARCHAR")}`,
  );
  if (hiveTypes.length > 0)
    settings.push(`hive_types = {${hiveTypes.join(", ")}}`, "hive_types_autocast = false");
  const read = `read_parquet([${list}], ${settings.join(", ")})`;
  // Values DuckDB would read as NULL are stored escaped; undo that where such files are read.
  const escaped = manifest.partitionColumns.filter((c) =>
    files.some((f) => isEscapedValue(f.partition[c] ?? null)),
  );
  if (escaped.length === 0) return read;
  const q = (name: string) => dialect.quoteIdent(name);
  const replaced = escaped.map((c) => `${unescapePartitionSql(q(c))} AS ${q(c)}`);
  return `(SELECT * REPLACE (${replaced.join(", ")}) FROM ${read})`;
}

/**
 * A FROM-able relation with the dataset's columns (in `read_parquet`'s order: data
 * columns, then partition columns by name) and no rows, for a filter that prunes every file away:
 * the caller's SQL still binds, and returns nothing.
 */
export function emptyRelationSql(dialect: Dialect, manifest: Manifest): string {
  const isPartition = (c: SchemaColumn): boolean => manifest.partitionColumns.includes(c.name);
  const partitions = manifest.schema.filter(isPartition).sort((a, b) => (a.name < b.name ? -1 : 1));
  const ordered = [...manifest.schema.filter((c) => !isPartition(c)), ...partitions];
  const types = partitionTypes(manifest);
  const columns = ordered.map(
    (c) => `CAST(NULL AS ${types.get(c.name) ?? c.type}) AS ${dialect.quoteIdent(c.name)}`,
  );
  return `(SELECT ${columns.join(", ")} WHERE false)`;
}
