import { hostname } from "node:os";

/**
 * True when `owner` (an executor's name, `host:pid:id`) is a process of this host that no
 * longer exists: it was killed, so its runs need not wait for their heartbeat to go stale
 * before they are taken over. False whenever that cannot be told for sure — another host,
 * a name of another shape, a process that exists (or whose pid was reused, or belongs to
 * another user): then the heartbeat timeout decides, as for any executor. Like the lake's
 * locks, this takes a host name to name one process table: containers sharing a metadata
 * store must not share a host name.
 */
export function ownerProcessIsGone(owner: string, host: string = hostname()): boolean {
  const parts = owner.split(":");
  if (parts.length < 3) return false;
  const pid = Number(parts.at(-2));
  if (parts.slice(0, -2).join(":") !== host || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
