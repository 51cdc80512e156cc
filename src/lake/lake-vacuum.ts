import { readdir, rm, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { listParquetFiles, pruneEmptyDirs, resolveRelative, STAGING_DIR } from "./lake-files.js";
import { LOCK_FILE } from "./lake-lock.js";
import { MANIFEST_FILE, type Manifest } from "./manifest.js";

/**
 * Removes what interrupted commits left behind: staging folders, unrenamed manifest
 * files, broken-lock files, and Parquet files the manifest does not list (moved into
 * place by a commit that died before its manifest swap, or replaced by one that died
 * right after it). The caller holds the dataset's lock, so no commit is in flight.
 * Returns the removed paths, relative to the dataset folder.
 */
export async function vacuumDataset(datasetDir: string, manifest: Manifest | undefined): Promise<string[]> {
  const removed: string[] = [];

  const staging = join(datasetDir, STAGING_DIR);
  for (const path of await listParquetFiles(staging)) removed.push(`${STAGING_DIR}/${path}`);
  const commits = await readdir(staging).catch(() => [] as string[]);
  for (const commit of commits) {
    await rm(join(staging, commit), { recursive: true, force: true });
    if (!removed.some((p) => p.startsWith(`${STAGING_DIR}/${commit}/`)))
      removed.push(`${STAGING_DIR}/${commit}`);
  }
  await rmdir(staging).catch(() => undefined);

  const top = await readdir(datasetDir).catch(() => [] as string[]);
  for (const name of top) {
    if (name.startsWith(`${MANIFEST_FILE}.tmp-`) || name.startsWith(`${LOCK_FILE}.stale-`)) {
      await unlink(join(datasetDir, name)).catch(() => undefined);
      removed.push(name);
    }
  }

  const live = new Set(manifest?.files.map((f) => f.path) ?? []);
  const orphans = (await listParquetFiles(datasetDir, [STAGING_DIR])).filter((p) => !live.has(p));
  for (const path of orphans) {
    await unlink(resolveRelative(datasetDir, path)).catch(() => undefined);
    removed.push(path);
  }
  await pruneEmptyDirs(datasetDir, orphans);
  return removed;
}
