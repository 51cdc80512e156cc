import { EventEmitter } from "node:events";

/**
 * "A pool slot was freed" within this process: executors waiting for a slot try again at
 * once instead of at their next poll. Executors in other processes poll the store.
 */
export const poolReleases = new EventEmitter();
// One listener per run executing in this process; a backfill may run many at once.
poolReleases.setMaxListeners(0);
