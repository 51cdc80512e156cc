import { open, readdir, rmdir } from "node:fs/promises";
import { join } from "node:path";

/** Folder of in-flight commits inside a dataset folder; never read by readers. */
export const STAGING_DIR = "_staging";

/**
 * Every `.parquet` file under `dir`, as `/`-separated paths relative to it, sorted.
 * Top-level names in `skipTopLevel` (the staging folder) are not descended into.
 */
export async function listParquetFiles(dir: string, skipTopLevel: readonly string[] = []): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string, prefix: string): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries) {
      if (prefix === "" && skipTopLevel.includes(entry.name)) continue;
      const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await walk(join(current, entry.name), relative);
      else if (entry.isFile() && entry.name.endsWith(".parquet")) found.push(relative);
    }
  }
  await walk(dir, "");
  return found.sort();
}

/**
 * Removes the now-empty partition folders that held `relativePaths`, walking up towards
 * `root` (exclusive). Folders still holding files, or re-filled concurrently, stay.
 */
export async function pruneEmptyDirs(root: string, relativePaths: readonly string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const path of relativePaths) {
    const segments = path.split("/").slice(0, -1);
    for (let depth = segments.length; depth > 0; depth--) dirs.add(segments.slice(0, depth).join("/"));
  }
  // Deepest first, so a parent is tried only after its children.
  const ordered = [...dirs].sort((a, b) => b.split("/").length - a.split("/").length);
  for (const dir of ordered) {
    await rmdir(join(root, ...dir.split("/"))).catch(() => undefined);
  }
}

/** Joins a `/`-separated relative path onto a native folder path. */
export function resolveRelative(root: string, relative: string): string {
  return join(root, ...relative.split("/"));
}

/**
 * Flushes files and the folders holding them to disk, so that after a power loss a
 * manifest never lists a file whose data or folder entry was still only in the page cache.
 */
export async function fsyncFiles(root: string, relativePaths: readonly string[]): Promise<void> {
  const dirs = new Set(relativePaths.map((p) => p.split("/").slice(0, -1).join("/")));
  const targets = [...relativePaths, ...dirs].map((p) => (p === "" ? root : resolveRelative(root, p)));
  await Promise.all(
    targets.map(async (path) => {
      const handle = await open(path, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }),
  );
}
