import { ConfigError, LakeError } from "../core/errors.js";
import type { LakeWriteMode } from "./lake-commit.js";
import { COMMIT_HISTORY, type Manifest, type ManifestFile, type SchemaColumn } from "./manifest.js";
import { type PartitionColumn, type PartitionValues, partitionKey } from "./partitioning.js";

/**
 * Refuses a write whose partition columns differ from the dataset's, unless it replaces
 * the whole dataset: mixing layouts would make partition pruning and overwrite-partition
 * ambiguous.
 */
export function checkLayout(
  dataset: string,
  previous: Manifest | undefined,
  mode: LakeWriteMode,
  partitionColumns: readonly string[],
): void {
  if (!previous || mode === "overwrite" || previous.files.length === 0) return;
  const before = previous.partitionColumns;
  if (before.length !== partitionColumns.length || before.some((c, i) => c !== partitionColumns[i])) {
    throw new ConfigError(
      `cannot ${mode} ${dataset} partitioned by (${partitionColumns.join(", ")}): the dataset is partitioned by (${before.join(", ")}); use mode "overwrite" to change its partitioning`,
      { details: { dataset, expected: before, got: partitionColumns } },
    );
  }
}

/** Integer types by width: files of different widths are read as the widest, so they mix. */
const INTEGER_RANK: Record<string, number> = {
  TINYINT: 1,
  UTINYINT: 1,
  SMALLINT: 2,
  USMALLINT: 2,
  INTEGER: 3,
  UINTEGER: 3,
  BIGINT: 4,
  UBIGINT: 5,
  HUGEINT: 6,
};

/** The type both old and new files of a column are read as, or undefined when they clash. */
function commonType(before: string, after: string): string | undefined {
  if (before === after) return before;
  const a = INTEGER_RANK[before];
  const b = INTEGER_RANK[after];
  if (a === undefined || b === undefined) return undefined;
  return a >= b ? before : after;
}

/**
 * Refuses new data whose column types differ from the dataset's (append and
 * overwrite-partition keep old files, and a reader cannot union clashing types); integers
 * of different widths are fine. New columns are fine too: readers union files by name.
 */
export function checkSchema(
  dataset: string,
  previous: Manifest | undefined,
  mode: LakeWriteMode,
  partitionColumns: readonly string[],
  schema: readonly SchemaColumn[],
): void {
  if (!previous || replacesEverything(mode, partitionColumns) || previous.files.length === 0) return;
  const types = new Map(previous.schema.map((c) => [c.name, c.type]));
  for (const column of schema) {
    const before = types.get(column.name);
    if (before !== undefined && commonType(before, column.type) === undefined) {
      throw new LakeError(
        "SCHEMA_MISMATCH",
        `cannot ${mode} ${dataset}: column "${column.name}" is ${column.type} in the new data but ${before} in the dataset; cast it in the query or write with mode "overwrite"`,
        { details: { dataset, column: column.name, expected: before, got: column.type } },
      );
    }
  }
}

export interface ManifestPlanInput {
  dataset: string;
  previous: Manifest | undefined;
  mode: LakeWriteMode;
  commitId: string;
  partitionBy: readonly PartitionColumn[];
  partitionColumns: readonly string[];
  /** Undefined when the input had no batches at all. */
  schema: SchemaColumn[] | undefined;
  added: ManifestFile[];
}

/**
 * The manifest after a commit, and the files it no longer lists (to delete once it is
 * current). overwrite drops every file; overwrite-partition drops the files of exactly the
 * partitions the new data has (an unpartitioned dataset is one partition); append none.
 */
export function planNextManifest(input: ManifestPlanInput): { manifest: Manifest; removed: string[] } {
  const { previous, mode, partitionColumns, added } = input;
  const before = previous?.files ?? [];
  const touched = new Map<string, PartitionValues>();
  for (const file of added) touched.set(partitionKey(file.partition, partitionColumns), file.partition);

  let dropped: ManifestFile[];
  if (replacesEverything(mode, partitionColumns)) {
    dropped = before;
  } else if (mode === "overwrite-partition") {
    dropped = before.filter((f) => touched.has(partitionKey(f.partition, partitionColumns)));
  } else {
    dropped = [];
  }
  const droppedPaths = new Set(dropped.map((f) => f.path));
  const files = [...before.filter((f) => !droppedPaths.has(f.path)), ...added];

  const time = new Date().toISOString();
  const manifest: Manifest = {
    formatVersion: 1,
    dataset: input.dataset,
    version: (previous?.version ?? 0) + 1,
    updatedAt: time,
    schema: mergeSchema(previous, replacesEverything(mode, partitionColumns), input.schema),
    partitionBy: [...input.partitionBy],
    partitionColumns: [...partitionColumns],
    files,
    commits: [
      ...(previous?.commits ?? []),
      {
        id: input.commitId,
        time,
        mode,
        rows: added.reduce((sum, f) => sum + f.rows, 0),
        filesAdded: added.length,
        filesRemoved: dropped.length,
        partitions: [...touched.values()],
      },
    ].slice(-COMMIT_HISTORY),
  };
  return { manifest, removed: [...droppedPaths] };
}

/** An unpartitioned dataset is a single partition, so overwrite-partition replaces it all. */
export function replacesEverything(mode: LakeWriteMode, partitionColumns: readonly string[]): boolean {
  return mode === "overwrite" || (mode === "overwrite-partition" && partitionColumns.length === 0);
}

function mergeSchema(
  previous: Manifest | undefined,
  replaceAll: boolean,
  schema: SchemaColumn[] | undefined,
): SchemaColumn[] {
  if (schema === undefined) return previous?.schema ?? [];
  if (!previous || replaceAll || previous.files.length === 0) return schema;
  const incoming = new Map(schema.map((c) => [c.name, c.type]));
  const known = new Set(previous.schema.map((c) => c.name));
  const widened = previous.schema.map((c) => {
    const type = incoming.get(c.name);
    return { name: c.name, type: type === undefined ? c.type : (commonType(c.type, type) ?? c.type) };
  });
  return [...widened, ...schema.filter((c) => !known.has(c.name))];
}
