import { readdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { listParquetFiles, pruneEmptyDirs, resolveRelative, STAGING_DIR } from "./lake-files.js";
import { isLockLeftover } from "./lake-lock.js";
import { MANIFEST_FILE, type Manifest, readManifest } from "./manifest.js";
import { claimedVersion } from "./manifest-publish.js";

export interface VacuumOptions {
  /** List what would be removed, removing nothing. */
  dryRun?: boolean;
}

/**
 * Removes what interrupted commits left behind: staging folders, unrenamed manifest
 * files, claims of versions that never became current (and old ones), lock files of dead
 * writers, and Parquet files the manifest does not list (moved into place by a commit that
 * died before its manifest swap, or replaced by one that died right after it). The caller
 * holds the dataset's lock, and commits stage and move files only under it, so no commit is
 * in flight. Returns the removed paths, relative to the dataset folder.
 */
export async function vacuumDataset(
  datasetDir: string,
  manifest: Manifest | undefined,
  options: VacuumOptions = {},
): Promise<string[]> {
  const removed: string[] = [];
  const remove = async (relative: string): Promise<void> => {
    removed.push(relative);
    if (!options.dryRun) await rm(resolveRelative(datasetDir, relative), { recursive: true, force: true });
  };

  const staging = join(datasetDir, STAGING_DIR);
  for (const commit of (await readdir(staging).catch(() => [] as string[])).sort()) {
    const files = await listParquetFiles(join(staging, commit));
    removed.push(...files.map((f) => `${STAGING_DIR}/${commit}/${f}`));
    if (files.length === 0) removed.push(`${STAGING_DIR}/${commit}`);
    if (!options.dryRun) await rm(join(staging, commit), { recursive: true, force: true });
  }
  if (!options.dryRun) await rmdir(staging).catch(() => undefined);

  for (const name of (await readdir(datasetDir).catch(() => [] as string[])).sort()) {
    if (await isTopLevelLeftover(datasetDir, name, manifest)) await remove(name);
  }

  const live = new Set(manifest?.files.map((f) => f.path) ?? []);
  const orphans = (await listParquetFiles(datasetDir, [STAGING_DIR])).filter((p) => !live.has(p));
  for (const path of orphans) await remove(path);
  if (!options.dryRun) await pruneEmptyDirs(datasetDir, orphans);
  return removed;
}

/**
 * Removes an interrupted commit's leftovers when a writer takes the lock (so nothing is
 * left forever when nobody runs vacuum). Every interrupted commit leaves its staging folder
 * (it is removed last), a temporary manifest or a claim, so a full vacuum — which walks the
 * whole dataset for orphan files — runs only when one of those is there.
 */
export async function cleanLeftovers(datasetDir: string): Promise<string[]> {
  const manifest = await readManifest(datasetDir);
  for (const name of await readdir(datasetDir).catch(() => [] as string[])) {
    if (name === STAGING_DIR || (await isTopLevelLeftover(datasetDir, name, manifest))) {
      return vacuumDataset(datasetDir, manifest);
    }
  }
  return [];
}

async function isTopLevelLeftover(
  datasetDir: string,
  name: string,
  manifest: Manifest | undefined,
): Promise<boolean> {
  if (name.startsWith(`${MANIFEST_FILE}.tmp-`)) return true;
  const claimed = claimedVersion(name);
  // Only the current version's claim is kept (it is the current manifest, hard-linked).
  if (claimed !== undefined) return claimed !== manifest?.version;
  return isLockLeftover(datasetDir, name);
}
