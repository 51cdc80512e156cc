import { mkdir, rename, rm, rmdir, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { WriteInput } from "../connectors/sink.js";
import { LakeError, messageOf, WeirError } from "../core/errors.js";
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
}

export interface CommitRequest {
  dataset: string;
  datasetDir: string;
  engine: Engine;
  input: WriteInput;
  mode: LakeWriteMode;
  partitionBy?: readonly PartitionColumn[];
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
  await Promise.all(removed.map((path) => unlink(resolveRelative(datasetDir, path)).catch(() => undefined)));
  await pruneEmptyDirs(datasetDir, removed);
  await rm(stagingDir, { recursive: true, force: true });
  // Fails while another commit's staging folder exists (crash leftovers, removed when the lock is next taken).
  await rmdir(join(datasetDir, STAGING_DIR)).catch(() => undefined);

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

async function rollback(
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

function commitError(error: unknown, dataset: string, commitId: string): WeirError {
  if (error instanceof WeirError) return error;
  return new LakeError("LAKE_COMMIT_FAILED", `commit ${commitId} to ${dataset} failed: ${messageOf(error)}`, {
    cause: error,
    details: { dataset, commitId },
  });
}
