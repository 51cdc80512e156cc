import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

/** A lease owner name: `<host>:<pid>:<random>`, so a dead process of this host can be told apart. */
export function leaseOwnerName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * True when `owner` names a process of this host that no longer runs: its lease can be
 * taken at once instead of after it expires (a job restarted after a crash, say). Owners
 * of other hosts, or not in weir's format, are never judged dead here.
 */
export function ownerIsDeadHere(owner: string): boolean {
  const [host, pidText] = owner.split(":");
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
