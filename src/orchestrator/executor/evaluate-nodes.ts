import { checkDependsOnPast } from "./depends-on-past.js";
import type { ExecutorState } from "./executor-state.js";
import type { TaskNode } from "./task-node.js";
import { evaluateTriggerRule } from "./trigger-rules.js";

/**
 * pending → queued | skipped | upstream_failed: evaluates the trigger rules of pending
 * instances (and, as states settle, of their downstream) in one store write per wave.
 * Queued instances join the ready list; an instance waiting on its previous run
 * (`dependsOnPast`) is looked at again after the poll interval.
 */
export async function evaluateNodes(x: ExecutorState, candidates: TaskNode[]): Promise<void> {
  let wave = candidates;
  while (wave.length > 0) {
    const queued: TaskNode[] = [];
    const ended: {
      node: TaskNode;
      state: "skipped" | "upstream_failed";
      reason: string;
      blockedBy: string[];
    }[] = [];
    const next: TaskNode[] = [];
    for (const node of wave) {
      if (node.state !== "pending" || node.waiting || node.mapIndex >= 0) continue;
      const upstream = node.task.dependsOn.map((d) => x.nodes.get(d)!);
      let decision = evaluateTriggerRule(
        node.policy.triggerRule,
        upstream.map((u) => u.state),
      );
      let reason: string | undefined;
      if (decision === "run" && node.policy.dependsOnPast) {
        const past = await checkDependsOnPast(x.s.store, x.s.pipeline.id, x.s.run.logicalTime, node.task.id);
        if (past.decision === "wait") {
          pollLater(x, node);
          continue;
        }
        decision = past.decision;
        reason = past.reason;
      }
      if (decision === "wait") continue;
      if (decision === "run") {
        node.state = "queued";
        queued.push(node);
      } else {
        node.state = decision;
        // Built only here: a join waiting on 1,000 upstream tasks is evaluated 1,000 times.
        const blockedBy = upstream.filter((u) => u.state !== "success").map((u) => u.task.id);
        reason ??= `trigger rule ${node.policy.triggerRule}: upstream ${upstream
          .filter((u) => u.state !== "success")
          .map((u) => `${u.task.id} ${u.state}`)
          .join(", ")}`;
        ended.push({ node, state: decision, reason, blockedBy });
        next.push(...x.downstream.get(node.task.id)!);
      }
    }
    const at = x.nowIso();
    await x.s.store.tasks.transition(x.s.run.id, [
      ...queued.map((n) => ({ taskId: n.task.id, mapIndex: n.mapIndex, state: "queued" as const })),
      ...ended.map((e) => ({
        taskId: e.node.task.id,
        mapIndex: e.node.mapIndex,
        state: e.state,
        endedAt: at,
        error: e.reason,
      })),
    ]);
    x.ready.push(...queued);
    for (const e of ended) {
      await x.emit({
        type: "task.skipped",
        ...x.base(),
        taskId: e.node.task.id,
        state: e.state,
        reason: e.reason,
        blockedBy: e.blockedBy,
      });
    }
    wave = next;
  }
}

function pollLater(x: ExecutorState, node: TaskNode): void {
  node.waiting = true;
  x.waiting++;
  x.timers.after(x.s.pollMs, () => x.post({ kind: "evaluate", node }));
}
