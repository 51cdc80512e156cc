import { mkdir, rename, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LakeError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Engine } from "../engines/engine.js";
import {
  type CommitStep,
  type CommitStepHook,
  commitError,
  removeReplaced,
  rollback,
} from "./lake-commit.js";
import { fsyncFiles, resolveRelative, STAGING_DIR } from "./lake-files.js";
import { readParquetSql } from "./lake-scan.js";
import { COMMIT_HISTORY, type Manifest, type ManifestFile, readManifest } from "./manifest.js";
import { publishManifest } from "./manifest-publish.js";
import { type PartitionValues, partitionKey } from "./partitioning.js";

/** The column a match query reads each row's file into, clear of any data column. */
const FILE_COLUMN = "_weir_rewrite_file";

export interface RewriteRequest {
  dataset: string;
  datasetDir: string;
  /** The lake's DuckDB engine. */
  engine: Engine;
  /**
   * A SQL condition over the dataset's columns (partition columns included, typed as a scan
   * types them); rows for which it is TRUE are removed. Values go in `params` (`$1`, `$2`…).
   */
  predicateSql: string;
  params?: readonly unknown[];
  /** Only find the matching rows and partitions; stage and commit nothing. */
  dryRun?: boolean;
  onStep?: CommitStepHook;
}

/** A partition holding matching rows. */
export interface PartitionMatch {
  values: PartitionValues;
  /** The partition's folder, relative to the dataset folder (`""` when unpartitioned). */
  path: string;
  /** Matching rows in it: removed by the rewrite (or, for a dry run, to remove). */
  rows: number;
}

export interface RewriteResult {
  dataset: string;
  /** The rewrite's commit; undefined when nothing matched (nothing was committed) or for a dry run. */
  commitId?: string;
  /** The manifest version after the rewrite (the current one when nothing was committed); 0 for none. */
  version: number;
  rowsRemoved: number;
  /** Rows written back: the other rows of the rewritten partitions. */
  rowsWritten: number;
  filesAdded: number;
  filesRemoved: number;
  /** The partitions that held matching rows, in folder order; every other partition is untouched. */
  partitions: PartitionMatch[];
  dryRun: boolean;
}

/**
 * Removes the rows matching a predicate from a dataset in ONE commit: the partitions
 * holding matches (found by one scan reading each row's file) are written again without
 * those rows, and a single manifest swap replaces their files — exactly as an
 * `overwrite-partition` write replaces the partitions it writes, except that a partition
 * left with no rows disappears. Partitions without a match keep their files, untouched.
 * The old files are deleted once the swap is done, so the removed rows are gone from disk,
 * not only from the manifest. The caller holds the dataset's lock (`LakeDataset` takes it).
 *
 * A crash before the swap leaves the previous manifest, and readers see every old row; the
 * new files are leftovers that the next commit or `vacuum()` removes.
 *
 * @example
 * await rewritePartitions({ dataset: "lake.raw.customers", datasetDir, engine,
 *   predicateSql: `"email" = $1`, params: ["ann@example.com"] });
 */
export async function rewritePartitions(request: RewriteRequest): Promise<RewriteResult> {
  const { dataset, datasetDir } = request;
  const previous = await readManifest(datasetDir);
  const dryRun = request.dryRun ?? false;
  const nothing: RewriteResult = {
    dataset,
    version: previous?.version ?? 0,
    rowsRemoved: 0,
    rowsWritten: 0,
    filesAdded: 0,
    filesRemoved: 0,
    partitions: [],
    dryRun,
  };
  if (!previous || previous.files.length === 0) return nothing;
  const matches = await findMatches(request, previous);
  if (matches.length === 0) return nothing;
  const partitions = matches.map(({ files: _files, ...match }) => match);
  const rowsRemoved = matches.reduce((sum, m) => sum + m.rows, 0);
  if (dryRun) return { ...nothing, rowsRemoved, partitions };

  const commitId = newId("c");
  const step = async (name: CommitStep): Promise<void> => {
    await request.onStep?.(name, { dataset, commitId });
  };
  const stagingDir = join(datasetDir, STAGING_DIR, commitId);
  const moved: string[] = [];
  let manifest: Manifest;
  let removed: ManifestFile[];
  try {
    const added: ManifestFile[] = [];
    for (const [index, match] of matches.entries()) {
      const file = await stagePartition(request, previous, match, stagingDir, commitId, index);
      if (file) added.push(file);
    }
    await step("staged");
    for (const file of added) {
      const target = resolveRelative(datasetDir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(resolveRelative(stagingDir, file.path), target);
      moved.push(file.path);
    }
    await fsyncFiles(datasetDir, moved);
    await step("moved");
    removed = matches.flatMap((m) => m.files);
    manifest = nextManifest(previous, commitId, matches, removed, added);
    await publishManifest({
      dataset,
      datasetDir,
      manifest,
      commitId,
      base: previous,
      beforeClaim: () => step("manifest-written"),
    });
  } catch (error) {
    await rollback(datasetDir, stagingDir, commitId, moved);
    throw commitError(error, dataset, commitId);
  }

  // Visible and durable from here on; what fails below only leaves garbage for the next commit.
  await step("swapped");
  await removeReplaced(
    datasetDir,
    stagingDir,
    removed.map((f) => f.path),
  );

  const last = manifest.commits[manifest.commits.length - 1]!;
  return {
    dataset,
    commitId,
    version: manifest.version,
    rowsRemoved,
    rowsWritten: last.rows,
    filesAdded: last.filesAdded,
    filesRemoved: last.filesRemoved,
    partitions,
    dryRun,
  };
}

interface MatchedPartition extends PartitionMatch {
  /** Every live file of the partition (all of them are replaced, not only those with matches). */
  files: ManifestFile[];
}

/** The partitions holding rows that match, with their counts: one scan over every live file. */
async function findMatches(request: RewriteRequest, manifest: Manifest): Promise<MatchedPartition[]> {
  const { engine, datasetDir } = request;
  const read = readParquetSql(engine.dialect, datasetDir, manifest, manifest.files, {
    fileColumn: FILE_COLUMN,
  });
  const file = engine.dialect.quoteIdent(FILE_COLUMN);
  const rows = await engine.query<{ file: string; n: number | bigint }>(
    `SELECT ${file} AS file, count(*) AS n FROM ${read} AS "_weir_rows" WHERE (${request.predicateSql}) GROUP BY 1`,
    request.params ?? [],
  );
  const byPath = new Map(manifest.files.map((f) => [resolveRelative(datasetDir, f.path), f]));
  const columns = manifest.partitionColumns;
  const found = new Map<string, MatchedPartition>();
  for (const row of rows) {
    const matched = byPath.get(String(row.file));
    if (!matched) {
      throw new LakeError(
        "LAKE_COMMIT_FAILED",
        `rewrite of ${request.dataset}: the scan read ${row.file}, which the manifest does not list`,
        { details: { dataset: request.dataset, file: row.file } },
      );
    }
    const key = partitionKey(matched.partition, columns);
    const partition = found.get(key) ?? {
      values: matched.partition,
      path: folderOf(matched.path),
      rows: 0,
      files: manifest.files.filter((f) => partitionKey(f.partition, columns) === key),
    };
    partition.rows += Number(row.n);
    found.set(key, partition);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Writes one partition's rows that do not match into one staged file in the partition's
 * own folder (its name is kept verbatim, so escaped values stay as they were). Undefined
 * when every row matched: the partition is dropped. The file's row count must be the
 * partition's rows minus the matches, or the predicate did not give the same answer twice.
 */
async function stagePartition(
  request: RewriteRequest,
  manifest: Manifest,
  match: MatchedPartition,
  stagingDir: string,
  commitId: string,
  index: number,
): Promise<ManifestFile | undefined> {
  const { engine, datasetDir } = request;
  const total = match.files.reduce((sum, f) => sum + f.rows, 0);
  const kept = total - match.rows;
  if (kept === 0) return undefined;
  const d = engine.dialect;
  const partitionColumns = manifest.partitionColumns.map((c) => d.quoteIdent(c));
  // Partition values live in folder names, never in the files: read them for the predicate, write without.
  const columns = partitionColumns.length > 0 ? `* EXCLUDE (${partitionColumns.join(", ")})` : "*";
  const read = readParquetSql(d, datasetDir, manifest, match.files);
  const relative = `${match.path === "" ? "" : `${match.path}/`}part-${commitId}-${index}.parquet`;
  const path = resolveRelative(stagingDir, relative);
  await mkdir(dirname(path), { recursive: true });
  await engine.run(
    `COPY (SELECT ${columns} FROM ${read} AS "_weir_rows" WHERE (${request.predicateSql}) IS NOT TRUE) TO ${d.quoteLiteral(path)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`,
    request.params ?? [],
  );
  const [meta] = await engine.query<{ num_rows: number | bigint }>(
    `SELECT num_rows FROM parquet_file_metadata(${d.quoteLiteral(path)})`,
  );
  const written = Number(meta?.num_rows ?? 0);
  if (written !== kept) {
    throw new LakeError(
      "LAKE_COMMIT_FAILED",
      `rewrite of ${request.dataset}: partition ${match.path || "(all)"} kept ${written} rows where ${kept} were expected (${total} minus ${match.rows} matching); is the predicate deterministic?`,
      { details: { dataset: request.dataset, partition: match.path, written, expected: kept } },
    );
  }
  const { size } = await stat(path);
  return { path: relative, partition: match.values, rows: written, bytes: size, commitId };
}

/** The manifest after the rewrite: the matched partitions' files replaced, everything else kept. */
function nextManifest(
  previous: Manifest,
  commitId: string,
  matches: readonly MatchedPartition[],
  removed: readonly ManifestFile[],
  added: readonly ManifestFile[],
): Manifest {
  const gone = new Set(removed.map((f) => f.path));
  const time = new Date().toISOString();
  return {
    ...previous,
    version: previous.version + 1,
    updatedAt: time,
    files: [...previous.files.filter((f) => !gone.has(f.path)), ...added],
    commits: [
      ...previous.commits,
      {
        id: commitId,
        time,
        // The same contract as an overwrite-partition write: exactly these partitions are replaced.
        mode: "overwrite-partition" as const,
        rows: added.reduce((sum, f) => sum + f.rows, 0),
        filesAdded: added.length,
        filesRemoved: removed.length,
        partitions: matches.map((m) => m.values),
      },
    ].slice(-COMMIT_HISTORY),
  };
}

function folderOf(path: string): string {
  return path.split("/").slice(0, -1).join("/");
}
