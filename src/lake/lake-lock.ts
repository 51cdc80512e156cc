import { link, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LakeError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import {
  createLockFile,
  describeHolder,
  isStale,
  LOCK_DRAFT_PREFIX,
  type LockOwner,
  readLockFile,
  removeOwnLockFile,
  type SeenLock,
  sameLockFile,
} from "./lock-file.js";

export const LOCK_FILE = "_lock";
/** Held, briefly, by a writer removing a stale `_lock`: breakers take turns. */
export const BREAK_GUARD_FILE = "_lock.break";
/** A stale break guard moved aside to be checked and removed. */
export const LOCK_ASIDE_PREFIX = "_lock.stale-";

export interface LockOptions {
  /** How long to wait for the lock before failing with LAKE_LOCKED. Default 0. */
  waitMs?: number;
}

/**
 * The writer lock of one dataset, so exactly one writer (of any process, and of the writers
 * inside one process) commits at a time. The lock file appears with its content complete
 * (`createLockFile`), so no reader finds it empty and takes it for a crashed writer's. A
 * lock is broken only when its owner process is dead, or when its content has been
 * unreadable for a grace period (`isStale`). Each acquisition has its own token, and a writer
 * only ever removes the lock carrying its token.
 *
 * Lifecycle: `await DatasetLock.acquire(dir, …)` → commit → `await lock.release()`.
 */
export class DatasetLock {
  private released = false;

  private constructor(
    private readonly path: string,
    readonly token: string,
  ) {}

  /**
   * Takes the lock or throws `LAKE_LOCKED` (retryable) naming the holder. With
   * `waitMs > 0` it polls until the lock frees up or the time is over.
   */
  static async acquire(
    datasetDir: string,
    dataset: string,
    purpose: string,
    options: LockOptions = {},
  ): Promise<DatasetLock> {
    const path = join(datasetDir, LOCK_FILE);
    const deadline = Date.now() + (options.waitMs ?? 0);
    const owner = newOwner(purpose);
    for (;;) {
      const seen = await readLockFile(path);
      if (seen === undefined) {
        owner.since = new Date().toISOString();
        if (await createLockFile(datasetDir, path, owner)) return new DatasetLock(path, owner.token!);
        continue; // another writer was quicker
      }
      if (isStale(seen)) {
        await breakStaleLock(datasetDir, seen);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new LakeError(
          "LAKE_LOCKED",
          `lake dataset ${dataset} is locked by ${describeHolder(seen)}; lock file ${path}`,
          { retryable: true, details: { dataset, lockFile: path, holder: seen.owner ?? null } },
        );
      }
      // Jittered, so waiters woken together do not all try at the same instant.
      await sleep(20 + Math.random() * 40);
    }
  }

  /** Removes the lock, if it is still this writer's (it never removes another writer's). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await removeOwnLockFile(this.path, this.token);
  }
}

function newOwner(purpose: string): LockOwner {
  return { pid: process.pid, host: hostname(), token: newId("l"), purpose, since: new Date().toISOString() };
}

/**
 * Removes the stale lock `seen`, if `_lock` is still that file. Breakers take turns under a
 * guard lock: checking the lock and then unlinking it is only safe while no other breaker
 * can remove it in between and a live writer take its place (its owner, being dead, will
 * not). Moving the lock aside to check it instead would leave a moment without `_lock`, in
 * which a writer takes the lock while the lock moved may have been a live one.
 */
async function breakStaleLock(datasetDir: string, seen: SeenLock): Promise<void> {
  const guardPath = join(datasetDir, BREAK_GUARD_FILE);
  const guard = newOwner("breaking a stale lock");
  if (!(await createLockFile(datasetDir, guardPath, guard))) {
    const other = await readLockFile(guardPath);
    if (other !== undefined && isStale(other)) await removeStaleGuard(guardPath, other);
    else await sleep(2 + Math.random() * 8); // another writer is breaking it: look again after
    return;
  }
  try {
    const path = join(datasetDir, LOCK_FILE);
    const current = await readLockFile(path);
    if (current !== undefined && sameLockFile(current, seen)) {
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
    }
  } finally {
    await removeOwnLockFile(guardPath, guard.token!);
  }
}

/**
 * Removes the guard of a breaker that died while breaking (held for milliseconds, so this is
 * rare). It is moved aside and compared, and put back with link() — which never overwrites
 * — if it was replaced by a live breaker's guard in between.
 */
async function removeStaleGuard(guardPath: string, seen: SeenLock): Promise<void> {
  const aside = join(guardPath, "..", `${LOCK_ASIDE_PREFIX}${newId()}`);
  try {
    await rename(guardPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await readLockFile(aside);
  if (moved === undefined || !sameLockFile(moved, seen)) await link(aside, guardPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/**
 * Whether a lock file other than `_lock` is a leftover: a draft, break guard or moved-aside
 * guard whose owner is dead or unreadable past the grace period. A live writer's exists only
 * for a moment and is left alone.
 */
export async function isLockLeftover(datasetDir: string, name: string): Promise<boolean> {
  const lockFile =
    name === BREAK_GUARD_FILE || name.startsWith(LOCK_DRAFT_PREFIX) || name.startsWith(LOCK_ASIDE_PREFIX);
  if (!lockFile) return false;
  const seen = await readLockFile(join(datasetDir, name));
  return seen !== undefined && isStale(seen);
}
