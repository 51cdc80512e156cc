import type { MetadataStore } from "../../metadata/metadata-store.js";
import { loadNode, newNode, nodeKey, type TaskNode } from "./task-node.js";
import { loadStoredOutput } from "./task-output.js";

/**
 * Copies a stored run's instances (mapped ones included) and outputs into the executor's
 * nodes, so a resumed run skips what succeeded and hands stored outputs downstream.
 */
export async function loadRunState(
  store: MetadataStore,
  runId: string,
  nodes: ReadonlyMap<string, TaskNode>,
): Promise<void> {
  const outputs = new Map(
    (await store.tasks.outputs(runId)).map((o) => [nodeKey(o.taskId, o.mapIndex), o.value] as const),
  );
  for (const record of await store.tasks.list(runId)) {
    const parent = nodes.get(record.taskId);
    if (!parent) continue;
    let node = parent;
    if (record.mapIndex >= 0) {
      parent.children ??= [];
      node = newNode(parent.task, parent.policy, record.mapIndex, parent);
      parent.children[record.mapIndex] = node;
    }
    loadNode(node, record);
    const json = outputs.get(node.key);
    if (json !== undefined) {
      node.output = loadStoredOutput(json, node.key);
      node.hasOutput = true;
    }
  }
}
