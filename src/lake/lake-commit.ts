import { mkdir, rename, rm, rmdir, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { WriteInput } from "../connectors/sink.js";
import { ConfigError, LakeError, messageOf, WeirError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Engine } from "../engines/engine.js";
import { fsyncFiles, pruneEmptyDirs, resolveRelative, STAGING_DIR } from "./lake-files.js";
import { withPreparedInput } from "./lake-input.js";
import { checkLayout, checkSchema, planNextManifest } from "./lake-plan.js";
import { NOTHING_STAGED, stageFiles } from "./lake-stage.js";
import { MANIFEST_FILE, type Manifest, readManifest } from "./manifest.js";
import { publishManifest } from "./manifest-publish.js";
import { type PartitionColumn, type PartitionValues, partitionColumnNames } from "./partitioning.js";

export type LakeWriteMode = "append" | "overwrite" | "overwrite-partition";

/**
 * The points of a commit, in order: files written to staging; files moved into their
 * partition folders (still invisible); new manifest written and fsynced but not yet
 * renamed; manifest swapped (the commit is visible and durable).
 */
export type CommitStep = "staged" | "moved" | "manifest-written" | "swapped";

export type CommitStepHook = (
  step: CommitStep,
  commit: { dataset: string; commitId: string },
) => void | Promise<void>;

export interface CommitResult {
  dataset: string;
  commitId: string;
  /** The manifest version this commit created. */
  version: number;
  mode: LakeWriteMode;
  rowsWritten: number;
  filesAdded: number;
  filesRemoved: number;
  /** Partition values of every partition written (and, for overwrite-partition, replaced). */
  partitions: PartitionValues[];
  /**
   * True when the write was a no-op because the dataset already held its marker (see
   * `CommitMarker`): nothing was staged or written; `commitId` and `version` are then the
   * current manifest's, and the counts are 0.
   */
  skipped?: boolean;
}

/**
 * Makes a write idempotent per key: the commit records `markers[key] = value` in the same
 * manifest swap as its files, and a write whose marker the dataset already holds (at
 * `value` or higher) does nothing. A stream sink marks `stream:<job>:<partition>` with its
 * epoch, so an epoch replayed after a crash is never written twice.
 */
export interface CommitMarker {
  key: string;
  value: number;
}

export interface CommitRequest {
  dataset: string;
  datasetDir: string;
  engine: Engine;
  input: WriteInput;
  mode: LakeWriteMode;
  partitionBy?: readonly PartitionColumn[];
  marker?: CommitMarker;
  onStep?: CommitStepHook;
}

/**
 * Writes one commit to a dataset. The caller holds the dataset's lock. Readers only ever
 * see files the manifest lists, and the manifest changes by one atomic rename, so a crash
 * at any point leaves either the previous or the new state visible, never a mix. The
 * rename happens only if the manifest is still the one this commit was planned from
 * (`publishManifest`), so even a writer that wrongly got the lock cannot overwrite a commit.
 */
export async function commitWrite(request: CommitRequest): Promise<CommitResult> {
  const { dataset, datasetDir, engine, mode } = request;
  const commitId = newId("c");
  const step = async (name: CommitStep): Promise<void> => {
    await request.onStep?.(name, { dataset, commitId });
  };
  const previous = await readManifest(datasetDir);
  if (request.marker && holdsMarker(dataset, previous, request.marker)) {
    return {
      dataset,
      commitId: previous?.commits.at(-1)?.id ?? "none",
      version: previous?.version ?? 0,
      mode,
      rowsWritten: 0,
      filesAdded: 0,
      filesRemoved: 0,
      partitions: [],
      skipped: true,
    };
  }
  const partitionBy = [...(request.partitionBy ?? previous?.partitionBy ?? [])];
  const partitionColumns = partitionColumnNames(partitionBy);
  checkLayout(dataset, previous, mode, partitionColumns);

  const stagingDir = join(datasetDir, STAGING_DIR, commitId);
  const moved: string[] = [];
  let manifest: Manifest;
  let removed: string[];
  try {
    const staged = await withPreparedInput(engine, request.input, `_weir_lake_${commitId}`, (eng, input) =>
      input
        ? stageFiles({
            dataset,
            engine: eng,
            input,
            partitionBy,
            partitionColumns,
            stagingDir,
            commitId,
            checkSchema: (schema) => checkSchema(dataset, previous, mode, partitionColumns, schema),
          })
        : Promise.resolve(NOTHING_STAGED),
    );
    await step("staged");
    for (const file of staged.files) {
      const target = resolveRelative(datasetDir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(resolveRelative(stagingDir, file.path), target);
      moved.push(file.path);
    }
    await fsyncFiles(datasetDir, moved);
    await step("moved");
    ({ manifest, removed } = planNextManifest({
      dataset,
      previous,
      mode,
      commitId,
      partitionBy,
      partitionColumns,
      schema: staged.schema,
      added: staged.files,
    }));
    manifest = withMarkers(manifest, previous, request.marker);
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

  // From here on the commit is visible and durable; failures below only leave garbage,
  // which the next commit or vacuum() removes.
  await step("swapped");
  await removeReplaced(datasetDir, stagingDir, removed);

  const last = manifest.commits[manifest.commits.length - 1]!;
  return {
    dataset,
    commitId,
    version: manifest.version,
    mode,
    rowsWritten: last.rows,
    filesAdded: last.filesAdded,
    filesRemoved: last.filesRemoved,
    partitions: last.partitions,
  };
}

/** True when `previous` already holds `marker` (at its value or higher). Refuses a malformed marker. */
function holdsMarker(dataset: string, previous: Manifest | undefined, marker: CommitMarker): boolean {
  if (typeof marker.key !== "string" || marker.key === "" || !Number.isFinite(marker.value)) {
    throw new ConfigError(
      `invalid commit marker ${JSON.stringify(marker)} for ${dataset}: expected a non-empty key and a finite number`,
      { details: { dataset, marker: { ...marker } } },
    );
  }
  const held = previous?.markers?.[marker.key];
  return held !== undefined && held >= marker.value;
}

/**
 * The next manifest with the base's markers carried forward (every commit keeps them, or a
 * later commit would forget which epochs are held) and this commit's marker set.
 */
function withMarkers(
  manifest: Manifest,
  previous: Manifest | undefined,
  marker: CommitMarker | undefined,
): Manifest {
  const markers = { ...previous?.markers, ...(marker ? { [marker.key]: marker.value } : {}) };
  return Object.keys(markers).length === 0 ? manifest : { ...manifest, markers };
}

/** Undoes an unpublished commit: its moved files, staging folder and temporary manifest. */
export async function rollback(
  datasetDir: string,
  stagingDir: string,
  commitId: string,
  moved: string[],
): Promise<void> {
  await Promise.all(moved.map((path) => unlink(resolveRelative(datasetDir, path)).catch(() => undefined)));
  await pruneEmptyDirs(datasetDir, moved);
  await rm(stagingDir, { recursive: true, force: true }).catch(() => undefined);
  await rm(join(datasetDir, `${MANIFEST_FILE}.tmp-${commitId}`), { force: true }).catch(() => undefined);
}

/** A commit's failure as a WeirError: weir's own errors as they are, others as LAKE_COMMIT_FAILED. */
export function commitError(error: unknown, dataset: string, commitId: string): WeirError {
  if (error instanceof WeirError) return error;
  return new LakeError("LAKE_COMMIT_FAILED", `commit ${commitId} to ${dataset} failed: ${messageOf(error)}`, {
    cause: error,
    details: { dataset, commitId },
  });
}

/**
 * After a manifest swap: deletes the files it replaced, their emptied partition folders and
 * the commit's staging folder. Best effort — what is left is garbage the next commit or
 * vacuum() removes.
 */
export async function removeReplaced(
  datasetDir: string,
  stagingDir: string,
  removed: readonly string[],
): Promise<void> {
  await Promise.all(removed.map((path) => unlink(resolveRelative(datasetDir, path)).catch(() => undefined)));
  await pruneEmptyDirs(datasetDir, removed);
  await rm(stagingDir, { recursive: true, force: true });
  // Fails while another commit's staging folder exists (crash leftovers, removed when the lock is next taken).
  await rmdir(join(datasetDir, STAGING_DIR)).catch(() => undefined);
}
