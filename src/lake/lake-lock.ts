import { link, open, readFile, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LakeError } from "../core/errors.js";
import { newId } from "../core/ids.js";

export const LOCK_FILE = "_lock";

interface LockOwner {
  pid: number;
  host: string;
  purpose: string;
  since: string;
}

/**
 * The writer lock of one dataset: a file created with O_EXCL, so exactly one process (and
 * one writer inside it) commits at a time. The file names its owner's PID and host; a lock
 * whose owner is a dead process on this host is stale and is broken by the next writer.
 *
 * Lifecycle: `await DatasetLock.acquire(dir, …)` → commit → `await lock.release()`.
 */
export class DatasetLock {
  private released = false;

  private constructor(private readonly path: string) {}

  /**
   * Takes the lock or throws `LAKE_LOCKED` (retryable) naming the holder. With
   * `waitMs > 0` it polls until the lock frees up or the time is over.
   */
  static async acquire(
    datasetDir: string,
    dataset: string,
    purpose: string,
    waitMs = 0,
  ): Promise<DatasetLock> {
    const path = join(datasetDir, LOCK_FILE);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (await tryCreate(path, purpose)) return new DatasetLock(path);
      const holder = await readOwner(path);
      if (holder === undefined) continue; // released between our attempt and the read
      if (isStale(holder)) {
        await breakStaleLock(path);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new LakeError(
          "LAKE_LOCKED",
          `lake dataset ${dataset} is locked by process ${holder.pid} on ${holder.host} (${holder.purpose}, since ${holder.since}); lock file ${path}`,
          { retryable: true, details: { dataset, lockFile: path, holder } },
        );
      }
      await sleep(50);
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await unlink(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }
}

async function tryCreate(path: string, purpose: string): Promise<boolean> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() };
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner), "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    // A writer died between creating the file and writing its owner: treat as stale.
    return { pid: -1, host: hostname(), purpose: "unknown (unreadable lock file)", since: "unknown" };
  }
}

function isStale(owner: LockOwner): boolean {
  // A lock from another host cannot be checked; it is only ever broken by hand.
  if (owner.host !== hostname()) return false;
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Moves the stale lock aside instead of deleting it, so that of two writers breaking the
 * same stale lock only one succeeds (rename of a missing file fails) and neither deletes
 * a fresh lock the other has just taken.
 */
async function breakStaleLock(path: string): Promise<void> {
  const aside = `${path}.stale-${newId()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const owner = await readOwner(aside);
  if (owner !== undefined && !isStale(owner)) {
    // We raced with a writer that took the lock after our check: put its lock back.
    // link() fails instead of overwriting when yet another writer took the lock meanwhile.
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return;
  }
  await unlink(aside).catch(() => undefined);
}
