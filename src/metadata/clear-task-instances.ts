import type { SqlConnection } from "./sql-database.js";
import type { TaskInstanceKey } from "./task-store.js";

const KEY = "run_id = ? AND task_id = ? AND map_index = ?";

/**
 * Inside the caller's transaction (`TaskStore.clear`): resets instances to pending with a
 * fresh set of retries, drops their outputs and a mapped task's expanded instances, and
 * sets the run back to queued. The run is checked first, in the same transaction: one an
 * executor claimed since the caller looked is left alone (false) — unless `owner` is that
 * executor, which clears its own claimed run and keeps it running. Attempts are history:
 * never deleted.
 */
export async function clearTaskInstances(
  tx: SqlConnection,
  runId: string,
  keys: readonly TaskInstanceKey[],
  owner?: string,
): Promise<boolean> {
  const requeued =
    owner === undefined
      ? await tx.run(
          "UPDATE runs SET state = 'queued', ended_at = NULL, error = NULL WHERE id = ? AND state <> 'running'",
          [runId],
        )
      : await tx.run(
          "UPDATE runs SET ended_at = NULL, error = NULL WHERE id = ? AND state = 'running' AND owner = ?",
          [runId, owner],
        );
  if (requeued === 0) return false;
  for (const k of keys) {
    await tx.run(
      `UPDATE task_instances SET state = 'pending', max_tries = try_number + retries + 1, next_try_at = NULL,
         ended_at = NULL, error = NULL WHERE ${KEY}`,
      [runId, k.taskId, k.mapIndex],
    );
    await tx.run(`DELETE FROM task_outputs WHERE ${KEY}`, [runId, k.taskId, k.mapIndex]);
    if (k.mapIndex === -1) {
      await tx.run("DELETE FROM task_instances WHERE run_id = ? AND task_id = ? AND map_index >= 0", [
        runId,
        k.taskId,
      ]);
      await tx.run("DELETE FROM task_outputs WHERE run_id = ? AND task_id = ? AND map_index >= 0", [
        runId,
        k.taskId,
      ]);
    }
  }
  return true;
}
