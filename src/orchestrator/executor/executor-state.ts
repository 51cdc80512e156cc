import type { WeirError } from "../../core/errors.js";
import type { DataInterval } from "../../core/interval.js";
import type { TaskInstanceState } from "../../metadata/task-store.js";
import type { Notification, NotificationKind } from "../../notifications/notification.js";
import { retryDelay } from "../backoff.js";
import type { TimePartition } from "../partitions/partition-scheme.js";
import type { RunEvent } from "../run-events.js";
import type { ExecutorSettings } from "./executor-settings.js";
import { RunEmitter } from "./run-emitter.js";
import { type InboxItem, RunInbox } from "./run-inbox.js";
import { RunNotifier } from "./run-notifier.js";
import { RunTimers } from "./run-timers.js";
import { newNode, type TaskNode } from "./task-node.js";
import { isTerminal } from "./task-states.js";

/**
 * Everything one execution of a run knows: the task graph (nodes, downstream, ancestors),
 * what is ready, running and waiting, why it stops, and the services its steps share (the
 * inbox, timers, events, notifications). The step functions of the executor (evaluate,
 * dispatch, finish, fan out, stop, recover) all read and change this one object, and only
 * from the executor's loop.
 */
export class ExecutorState {
  readonly nodes = new Map<string, TaskNode>();
  readonly downstream = new Map<string, TaskNode[]>();
  readonly ancestors = new Map<string, ReadonlySet<string>>();
  /** A mapped parent's items, by parent (an instance's item is `items[mapIndex]`). */
  readonly items = new Map<TaskNode, readonly unknown[]>();
  ready: TaskNode[] = [];
  poolBlocked: TaskNode[] = [];
  running = 0;
  waiting = 0;
  pollScheduled = false;
  stopping: false | "run_timeout" | "shutdown" = false;
  /** While interrupted attempts of a dead executor are written off: no timers, no downstream evaluation. */
  recovering = false;
  fatal: unknown;
  firstError: WeirError | undefined;
  /** Aborted when the execution ends: stops the heartbeat loop and every timer. */
  readonly done = new AbortController();
  readonly inbox = new RunInbox();
  readonly timers: RunTimers;
  readonly emitter: RunEmitter;
  readonly notifier: RunNotifier;
  readonly interval: DataInterval;
  readonly logicalDate: Date;
  readonly partition: TimePartition | undefined;

  constructor(readonly s: ExecutorSettings) {
    const { pipeline, run } = s;
    this.timers = new RunTimers(s.clock, this.done.signal);
    this.emitter = new RunEmitter(s.listeners, (error) => {
      this.fatal ??= error;
      this.inbox.wake();
    });
    this.notifier = new RunNotifier(s.notify, pipeline, run, s.logger);
    this.logicalDate = new Date(run.logicalTime);
    this.interval = { start: new Date(run.intervalStart), end: new Date(run.intervalEnd) };
    this.partition = pipeline.partitions?.partitionOf(this.interval.start);
    for (const task of pipeline.tasks) {
      this.nodes.set(task.id, newNode(task, pipeline.policies[task.id]!, -1));
      this.downstream.set(task.id, []);
    }
    for (const task of pipeline.tasks) {
      for (const dep of task.dependsOn) this.downstream.get(dep)!.push(this.nodes.get(task.id)!);
    }
    for (const id of pipeline.order) {
      const set = new Set<string>();
      for (const dep of this.nodes.get(id)!.task.dependsOn) {
        set.add(dep);
        for (const a of this.ancestors.get(dep)!) set.add(a);
      }
      this.ancestors.set(id, set);
    }
  }

  /** Every node: the tasks, and the instances of mapped tasks. */
  allNodes(): TaskNode[] {
    const out: TaskNode[] = [];
    for (const node of this.nodes.values()) {
      out.push(node);
      if (node.children) out.push(...node.children.filter(Boolean));
    }
    return out;
  }

  allDone(): boolean {
    for (const node of this.nodes.values()) if (!isTerminal(node.state)) return false;
    return true;
  }

  post(item: InboxItem): void {
    this.inbox.post(item);
  }

  /** Queues the node again at `at` (epoch ms of the clock). */
  retryAt(node: TaskNode, at: number): void {
    node.nextTryAt = at;
    node.waiting = true;
    this.waiting++;
    const delay = Math.max(0, at - this.s.clock.now().getTime());
    if (delay === 0) {
      this.post({ kind: "retry", node });
      return;
    }
    this.timers.after(delay, () => this.post({ kind: "retry", node }));
  }

  /** When the node may retry after its latest attempt failed, per its retry policy. */
  nextTryAfterFailure(node: TaskNode): number {
    return this.s.clock.now().getTime() + retryDelay(node.tryNumber, node.policy.retry, this.s.random);
  }

  async transition(nodes: TaskNode[], state: TaskInstanceState): Promise<void> {
    for (const node of nodes) node.state = state;
    await this.s.store.tasks.transition(
      this.s.run.id,
      nodes.map((n) => ({ taskId: n.task.id, mapIndex: n.mapIndex, state })),
    );
  }

  /** The fields every event of this run carries. */
  base(): { runId: string; pipeline: string; at: string } {
    return { runId: this.s.run.id, pipeline: this.s.pipeline.id, at: this.nowIso() };
  }

  nowIso(): string {
    return this.s.clock.now().toISOString();
  }

  emit(event: RunEvent): Promise<void> {
    return this.emitter.emit(event);
  }

  notify(kind: NotificationKind, extra: Partial<Notification>): void {
    this.notifier.notify(kind, this.nowIso(), extra);
  }
}
