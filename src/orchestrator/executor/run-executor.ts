import { messageOf, WeirError } from "../../core/errors.js";
import { dispatchReady } from "./dispatch-ready.js";
import { evaluateNodes } from "./evaluate-nodes.js";
import type { ExecutorSettings } from "./executor-settings.js";
import { ExecutorState } from "./executor-state.js";
import { finishRun } from "./finish-run.js";
import { handleOutcome } from "./handle-outcome.js";
import { heartbeatLoop } from "./heartbeat-loop.js";
import { loadRunState } from "./load-run-state.js";
import { poolReleases } from "./pool-releases.js";
import { recoverInterrupted } from "./recover-interrupted.js";
import { AttemptAbort } from "./run-attempt.js";
import type { InboxItem } from "./run-inbox.js";
import type { RunResult } from "./run-result.js";
import { abandonRun, runTimeoutMessage, settleStopped, stopRun } from "./stop-run.js";
import { isTerminal } from "./task-states.js";

/**
 * Executes one claimed run: evaluates trigger rules, queues ready instances, starts
 * attempts (claiming pool slots), retries with backoff, enforces task and run timeouts,
 * heartbeats, fans mapped tasks out, and writes every transition to the store as it
 * happens. All state changes happen on one loop that drains an inbox (attempt outcomes,
 * timers), so no two transitions of the same run ever interleave. The steps live in
 * files of their own (`evaluate-nodes`, `dispatch-ready`, `start-node`, `handle-outcome`,
 * `finish-node`, `fan-out`, `stop-run`, `recover-interrupted`, `finish-run`) and share
 * one `ExecutorState`.
 */
export class RunExecutor {
  private readonly x: ExecutorState;

  constructor(settings: ExecutorSettings) {
    this.x = new ExecutorState(settings);
  }

  async execute(): Promise<RunResult> {
    const x = this.x;
    const { store, run, clock } = x.s;
    const started = clock.now().getTime();
    if (x.s.existing) await loadRunState(store, run.id, x.nodes);
    const resumed = x.allNodes().some((n) => n.state !== "pending");
    await x.emit({
      type: "run.started",
      ...x.base(),
      logicalDate: run.logicalDate,
      logicalTime: run.logicalTime,
      runType: run.runType,
      resumed,
      interval: { start: run.intervalStart, end: run.intervalEnd },
      params: run.params,
      tasks: [...x.s.pipeline.order],
    });
    const onPoolRelease = () => x.post({ kind: "pools" });
    const onAbort = () => x.post({ kind: "shutdown", reason: messageOf(x.s.signal?.reason ?? "aborted") });
    poolReleases.on("release", onPoolRelease);
    x.s.signal?.addEventListener("abort", onAbort, { once: true });
    if (x.s.signal?.aborted) onAbort();
    void heartbeatLoop({
      clock,
      store,
      owner: x.s.owner,
      runId: run.id,
      intervalMs: x.s.heartbeatMs,
      signal: x.done.signal,
      running: () => x.allNodes().filter((n) => n.running),
      logger: x.s.logger,
      // Stop well before other executors take the run for dead (they wait the whole timeout).
      lostAfterMs: x.s.heartbeatTimeoutMs / 2,
      onLost: (error) => {
        x.fatal ??= error;
        x.inbox.wake();
      },
    });
    this.startTimers(started);
    try {
      try {
        await recoverInterrupted(x);
        await evaluateNodes(
          x,
          x.s.pipeline.order.map((id) => x.nodes.get(id)!),
        );
      } catch (error) {
        x.fatal ??= error;
      }
      await this.loop();
      if (x.fatal !== undefined) throw await abandonRun(x);
    } finally {
      x.done.abort();
      poolReleases.off("release", onPoolRelease);
      x.s.signal?.removeEventListener("abort", onAbort);
    }
    try {
      return await finishRun(x, started);
    } catch (error) {
      // The run's end could not be recorded (the store failed): leave it for the next executor.
      x.fatal = error;
      throw await abandonRun(x);
    }
  }

  /**
   * Drains the inbox and moves the run on until it is done. After a fatal error (the store
   * failed, a listener threw) nothing new starts: running attempts are told to stop and
   * waited for (up to their grace), so none is left running behind the executor.
   */
  private async loop(): Promise<void> {
    const x = this.x;
    for (;;) {
      for (let item = x.inbox.take(); item; item = x.inbox.take()) await this.handle(item);
      if (x.fatal === undefined) {
        try {
          const next = await this.advance();
          if (next === "done") return;
          if (next === "again") continue;
        } catch (error) {
          x.fatal ??= error;
        }
      }
      if (x.fatal !== undefined) {
        stopRun(x, "shutdown", new AttemptAbort("shutdown", `the executor stopped: ${messageOf(x.fatal)}`));
        if (x.running === 0) return;
      }
      await x.inbox.nextWake();
    }
  }

  /** With the inbox drained: settle a stop, or start what is ready; "wait" for the next item. */
  private async advance(): Promise<"done" | "again" | "wait"> {
    const x = this.x;
    if (x.stopping) {
      if (x.running > 0) return "wait";
      await settleStopped(x);
      return "done";
    }
    if (x.allDone()) return "done";
    await dispatchReady(x);
    if (x.inbox.length > 0 || x.allDone()) return "again";
    if (x.running === 0 && x.waiting === 0 && x.ready.length === 0 && !x.pollScheduled) {
      const stuck = [...x.nodes.values()]
        .filter((n) => !isTerminal(n.state))
        .map((n) => `${n.key} (${n.state})`);
      x.fatal = new WeirError("INTERNAL", `run ${x.s.run.id} cannot make progress: ${stuck.join(", ")}`);
    }
    return "wait";
  }

  private async handle(item: InboxItem): Promise<void> {
    const x = this.x;
    try {
      switch (item.kind) {
        case "outcome":
          x.running--;
          return await handleOutcome(x, item);
        case "retry":
          item.node.waiting = false;
          x.waiting--;
          if (item.node.state !== "up_for_retry" || x.stopping) return;
          await x.transition([item.node], "queued");
          x.ready.push(item.node);
          return;
        case "evaluate":
          item.node.waiting = false;
          x.waiting--;
          if (!x.stopping) await evaluateNodes(x, [item.node]);
          return;
        case "pools":
          x.pollScheduled = false;
          x.ready.push(...x.poolBlocked);
          x.poolBlocked = [];
          return;
        case "run_timeout":
          return stopRun(x, "run_timeout", new AttemptAbort("run_timeout", runTimeoutMessage(x)));
        case "shutdown":
          return stopRun(x, "shutdown", new AttemptAbort("shutdown", `interrupted: ${item.reason}`));
        case "sla":
          return await this.slaMissed(item.deadline);
      }
    } catch (error) {
      x.fatal ??= error;
    }
  }

  /** The run's timeout and its SLA deadline (counted from when the run was queued). */
  private startTimers(started: number): void {
    const x = this.x;
    const { pipeline, run } = x.s;
    if (pipeline.runTimeoutMs !== undefined) {
      x.timers.after(pipeline.runTimeoutMs, () => x.post({ kind: "run_timeout" }));
    }
    const sla = pipeline.notifications.slaMs;
    if (sla !== undefined) {
      const deadline = Date.parse(run.queuedAt) + sla;
      x.timers.after(Math.max(0, deadline - started), () => x.post({ kind: "sla", deadline }));
    }
  }

  private async slaMissed(deadline: number): Promise<void> {
    const x = this.x;
    if (x.allDone()) return;
    const at = new Date(deadline).toISOString();
    await x.emit({ type: "run.sla_missed", ...x.base(), deadline: at });
    x.notify("sla_miss", { deadline: at });
  }
}
