import { link, open, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

/** A lock file being prepared, complete before it is linked into place. */
export const LOCK_DRAFT_PREFIX = "_lock.new-";

/** Who holds a dataset lock: what the lock file says, written in full before it is visible. */
export interface LockOwner {
  pid: number;
  host: string;
  /** Unique per acquisition: tells apart writers of one process, which share a PID. */
  token?: string;
  purpose: string;
  since: string;
}

/** A lock file as found on disk; `owner` is undefined when its content cannot be read as one. */
export interface SeenLock {
  owner: LockOwner | undefined;
  text: string;
  ino: number;
  mtimeMs: number;
}

/**
 * How long a lock file whose owner cannot be read (empty or torn — earlier weir versions
 * created it empty and wrote it afterwards — or of a foreign format) stays respected,
 * counted from its mtime. Locks written by `createLockFile` are never unreadable.
 */
export const UNREADABLE_LOCK_GRACE_MS = 30_000;

/**
 * Tokens of the locks this process holds. On `globalThis` so that every copy of this module
 * in the process (a pipeline file loaded through tsx gets its own copy of weir) shares it.
 */
const HELD_KEY = Symbol.for("weir.lake.heldLockTokens");
const registry = globalThis as Record<symbol, Set<string> | undefined>;
registry[HELD_KEY] ??= new Set<string>();
export const heldTokens: Set<string> = registry[HELD_KEY];

/**
 * Creates the lock file `path` owned by `owner`, or returns false when it exists. The file
 * appears with its content complete: it is written under a private name and hard-linked to
 * `path`, and link() fails if `path` exists. (Created empty and written afterwards, a reader
 * could find it empty and take it for a crashed writer's.)
 */
export async function createLockFile(datasetDir: string, path: string, owner: LockOwner): Promise<boolean> {
  const draft = join(datasetDir, `${LOCK_DRAFT_PREFIX}${owner.token}`);
  // Not fsynced: after a power loss no owner is alive, and an empty file is unreadable,
  // which the grace period handles.
  await writeFile(draft, JSON.stringify(owner), "utf8");
  // Registered before the link, so no writer of this process ever sees the lock without
  // knowing it is live.
  heldTokens.add(owner.token!);
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    heldTokens.delete(owner.token!);
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/** Removes the lock file `path` if it carries `token`: never another owner's. */
export async function removeOwnLockFile(path: string, token: string): Promise<void> {
  try {
    const seen = await readLockFile(path);
    if (seen?.owner?.token !== token) return;
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  } finally {
    heldTokens.delete(token);
  }
}

/** Whether two reads saw the same lock file (inode numbers alone are reused). */
export function sameLockFile(a: SeenLock, b: SeenLock): boolean {
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.text === b.text;
}

/** Reads a lock file's content and identity from one open file; undefined when it is gone. */
export async function readLockFile(path: string): Promise<SeenLock | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    const text = await handle.readFile("utf8");
    return { owner: parseOwner(text), text, ino: stats.ino, mtimeMs: stats.mtimeMs };
  } finally {
    await handle.close();
  }
}

function parseOwner(text: string): LockOwner | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const { pid, host, token, purpose, since } = json as Record<string, unknown>;
  if (!Number.isInteger(pid) || (pid as number) <= 0 || typeof host !== "string") return undefined;
  return {
    pid: pid as number,
    host,
    ...(typeof token === "string" ? { token } : {}),
    purpose: typeof purpose === "string" ? purpose : "unknown",
    since: typeof since === "string" ? since : "unknown",
  };
}

/**
 * Whether a lock may be broken: its owner process is gone, or its content has been
 * unreadable for longer than the grace period. A lock of another host is never stale: its
 * owner cannot be checked from here.
 */
export function isStale(seen: SeenLock, graceMs: number = UNREADABLE_LOCK_GRACE_MS): boolean {
  const { owner } = seen;
  if (owner === undefined) return Date.now() - seen.mtimeMs > graceMs;
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) {
    // Our PID: alive, unless the lock predates this process (a restarted container gets
    // the same PID, often 1, as the one that died holding the lock).
    if (owner.token !== undefined && heldTokens.has(owner.token)) return false;
    const since = Date.parse(owner.since);
    return Number.isFinite(since) && since < performance.timeOrigin;
  }
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Who holds the lock, for error messages. */
export function describeHolder(seen: SeenLock, graceMs: number = UNREADABLE_LOCK_GRACE_MS): string {
  if (seen.owner === undefined) {
    const breakAt = new Date(seen.mtimeMs + graceMs).toISOString();
    return `an unreadable lock file (written ${new Date(seen.mtimeMs).toISOString()}; it is treated as stale from ${breakAt})`;
  }
  const { pid, host, purpose, since } = seen.owner;
  return `process ${pid} on ${host} (${purpose}, since ${since})`;
}
