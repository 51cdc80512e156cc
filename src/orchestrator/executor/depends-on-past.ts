import type { MetadataStore } from "../../metadata/metadata-store.js";

export interface PastDecision {
  decision: "wait" | "run" | "upstream_failed";
  reason: string;
}

/**
 * dependsOnPast: a task runs only when the same task in the previous run (by logical date)
 * succeeded or was skipped; it waits while that instance has not finished, and ends
 * upstream_failed when it failed. Without a previous run (or task) it runs.
 */
export async function checkDependsOnPast(
  store: MetadataStore,
  pipelineId: string,
  logicalTime: string,
  taskId: string,
): Promise<PastDecision> {
  const previous = await store.runs.previous(pipelineId, logicalTime);
  if (!previous) return { decision: "run", reason: "" };
  const record = (await store.tasks.list(previous.id)).find((t) => t.taskId === taskId && t.mapIndex === -1);
  const state = record?.state;
  if (state === undefined || state === "success" || state === "skipped")
    return { decision: "run", reason: "" };
  if (state === "failed" || state === "upstream_failed") {
    return {
      decision: "upstream_failed",
      reason: `dependsOnPast: "${taskId}" ended ${state} in the previous run ${previous.id} (${previous.logicalTime})`,
    };
  }
  return { decision: "wait", reason: "" };
}
