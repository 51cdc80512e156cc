import type { Clock } from "../../core/clock.js";
import { messageOf, TaskError, WeirError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import type { DataInterval } from "../../core/interval.js";
import { type Logger, warn } from "../../core/log.js";
import type { Engine } from "../../engines/engine.js";
import type { Lake } from "../../lake/lake.js";
import type { MetadataStore, RunRecord } from "../../metadata/metadata-store.js";
import type { AttemptFinish, TaskInstanceState } from "../../metadata/task-store.js";
import type { Notification, NotificationKind } from "../../notifications/notification.js";
import { retryDelay } from "../backoff.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { formatDuration } from "../duration.js";
import type { TimePartition } from "../partitions/partition-scheme.js";
import type { RunEvent, RunEventListener } from "../run-events.js";
import { attemptCode, errorInfo, hasStats, taskError } from "./attempt-errors.js";
import { AttemptLogger } from "./attempt-logger.js";
import { buildTaskContext } from "./build-task-context.js";
import { checkDependsOnPast } from "./depends-on-past.js";
import { heartbeatLoop } from "./heartbeat-loop.js";
import { loadRunState } from "./load-run-state.js";
import { poolReleases } from "./pool-releases.js";
import { AttemptAbort, type AttemptOutcome, startAttempt } from "./run-attempt.js";
import { type RunResult, summarizeNodes } from "./run-result.js";
import { type NodeStats, newNode, type TaskNode } from "./task-node.js";
import { serializeOutput } from "./task-output.js";
import { isTerminal } from "./task-states.js";
import { evaluateTriggerRule } from "./trigger-rules.js";

export interface ExecutorSettings {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  runtime: { engine: Engine; lake: Lake };
  run: RunRecord;
  /** The run was in the store before this execution (created queued, cleared, or interrupted): load its state. */
  existing: boolean;
  owner: string;
  clock: Clock;
  signal?: AbortSignal;
  listeners: readonly RunEventListener[];
  notify?: (notification: Notification) => Promise<void>;
  logger: Logger;
  concurrency: number;
  heartbeatMs: number;
  pollMs: number;
  random: () => number;
  pauseAt?: string;
}

type InboxItem =
  | {
      kind: "outcome";
      node: TaskNode;
      outcome: AttemptOutcome;
      logger: AttemptLogger;
      stats: AttemptStats;
      startedAt: number;
    }
  | { kind: "retry"; node: TaskNode }
  | { kind: "evaluate"; node: TaskNode }
  | { kind: "pools" }
  | { kind: "run_timeout" }
  | { kind: "shutdown"; reason: string }
  | { kind: "sla"; deadline: number };

/** What one attempt recorded through its context. */
export interface AttemptStats extends NodeStats {
  rows: { in: number; out: number; rejected: number };
}

/**
 * Executes one claimed run: evaluates trigger rules, queues ready instances, starts
 * attempts (claiming pool slots), retries with backoff, enforces task and run timeouts,
 * heartbeats, fans mapped tasks out, and writes every transition to the store as it
 * happens. All state changes happen on one loop that drains an inbox (attempt outcomes,
 * timers), so no two transitions of the same run ever interleave.
 */
export class RunExecutor {
  private readonly nodes = new Map<string, TaskNode>();
  private readonly downstream = new Map<string, TaskNode[]>();
  private readonly ancestors = new Map<string, ReadonlySet<string>>();
  private readonly items = new Map<TaskNode, readonly unknown[]>();
  private ready: TaskNode[] = [];
  private poolBlocked: TaskNode[] = [];
  private inbox: InboxItem[] = [];
  private running = 0;
  private waiting = 0;
  private wakeUp: (() => void) | undefined;
  private wakePending = false;
  private pollScheduled = false;
  private stopping: false | "run_timeout" | "shutdown" = false;
  /** While interrupted attempts of a dead executor are written off: no timers, no downstream evaluation. */
  private recovering = false;
  private fatal: unknown;
  private firstError: WeirError | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly done = new AbortController();
  private readonly notifications = new Set<Promise<void>>();
  private readonly interval: DataInterval;
  private readonly logicalDate: Date;
  private readonly partition: TimePartition | undefined;

  constructor(private readonly s: ExecutorSettings) {
    const { pipeline, run } = s;
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

  async execute(): Promise<RunResult> {
    const { store, run, clock } = this.s;
    const started = clock.now().getTime();
    if (this.s.existing) await loadRunState(store, run.id, this.nodes);
    const resumed = this.allNodes().some((n) => n.state !== "pending");
    await this.emit({
      type: "run.started",
      ...this.base(),
      logicalDate: run.logicalDate,
      logicalTime: run.logicalTime,
      runType: run.runType,
      resumed,
      interval: { start: run.intervalStart, end: run.intervalEnd },
      params: run.params,
      tasks: [...this.s.pipeline.order],
    });
    const onPoolRelease = () => this.post({ kind: "pools" });
    const onAbort = () =>
      this.post({ kind: "shutdown", reason: messageOf(this.s.signal?.reason ?? "aborted") });
    poolReleases.on("release", onPoolRelease);
    this.s.signal?.addEventListener("abort", onAbort, { once: true });
    if (this.s.signal?.aborted) onAbort();
    void heartbeatLoop({
      clock: this.s.clock,
      store,
      owner: this.s.owner,
      runId: run.id,
      intervalMs: this.s.heartbeatMs,
      signal: this.done.signal,
      running: () => this.allNodes().filter((n) => n.running),
      logger: this.s.logger,
    });
    this.startTimers(started);
    try {
      await this.recoverInterrupted();
      await this.evaluate(this.s.pipeline.order.map((id) => this.nodes.get(id)!));
      await this.loop();
    } finally {
      this.done.abort();
      poolReleases.off("release", onPoolRelease);
      this.s.signal?.removeEventListener("abort", onAbort);
    }
    if (this.fatal !== undefined) {
      await store.runs.release(run.id, this.s.owner).catch(() => undefined);
      throw this.fatal;
    }
    return this.finish(started);
  }

  // ── the loop ────────────────────────────────────────────────────────────

  private async loop(): Promise<void> {
    for (;;) {
      while (this.inbox.length > 0) await this.handle(this.inbox.shift()!);
      if (this.fatal !== undefined) return;
      if (this.stopping) {
        if (this.running === 0) return this.settleStopped();
      } else {
        if (this.allDone()) return;
        await this.dispatch();
        if (this.inbox.length > 0 || this.allDone()) continue;
        if (this.running === 0 && this.waiting === 0 && this.ready.length === 0 && !this.pollScheduled) {
          const stuck = [...this.nodes.values()]
            .filter((n) => !isTerminal(n.state))
            .map((n) => `${n.key} (${n.state})`);
          this.fatal = new WeirError(
            "INTERNAL",
            `run ${this.s.run.id} cannot make progress: ${stuck.join(", ")}`,
          );
          return;
        }
      }
      await this.nextWake();
    }
  }

  private post(item: InboxItem): void {
    this.inbox.push(item);
    this.wake();
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    if (wakeUp) {
      this.wakeUp = undefined;
      wakeUp();
    } else this.wakePending = true;
  }

  private nextWake(): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }

  private allDone(): boolean {
    for (const node of this.nodes.values()) if (!isTerminal(node.state)) return false;
    return true;
  }

  private async handle(item: InboxItem): Promise<void> {
    try {
      switch (item.kind) {
        case "outcome":
          this.running--;
          return await this.onOutcome(item.node, item.outcome, item.logger, item.stats, item.startedAt);
        case "retry":
          item.node.waiting = false;
          this.waiting--;
          if (item.node.state !== "up_for_retry" || this.stopping) return;
          await this.transition([item.node], "queued");
          this.ready.push(item.node);
          return;
        case "evaluate":
          item.node.waiting = false;
          this.waiting--;
          if (!this.stopping) await this.evaluate([item.node]);
          return;
        case "pools":
          this.pollScheduled = false;
          this.ready.push(...this.poolBlocked);
          this.poolBlocked = [];
          return;
        case "run_timeout":
          return this.stop("run_timeout", new AttemptAbort("run_timeout", this.runTimeoutMessage()));
        case "shutdown":
          return this.stop("shutdown", new AttemptAbort("shutdown", `interrupted: ${item.reason}`));
        case "sla":
          return await this.slaMissed(item.deadline);
      }
    } catch (error) {
      this.fatal ??= error;
    }
  }

  // ── evaluation: pending → queued | skipped | upstream_failed ────────────

  /** Evaluates pending instances (and, as states settle, their downstream) in one write per wave. */
  private async evaluate(candidates: TaskNode[]): Promise<void> {
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
        const upstream = node.task.dependsOn.map((d) => this.nodes.get(d)!);
        let decision = evaluateTriggerRule(
          node.policy.triggerRule,
          upstream.map((u) => u.state),
        );
        let reason: string | undefined;
        if (decision === "run" && node.policy.dependsOnPast) {
          const past = await checkDependsOnPast(
            this.s.store,
            this.s.pipeline.id,
            this.s.run.logicalTime,
            node.task.id,
          );
          if (past.decision === "wait") {
            this.pollLater(node);
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
          next.push(...this.downstream.get(node.task.id)!);
        }
      }
      const at = this.nowIso();
      await this.s.store.tasks.transition(this.s.run.id, [
        ...queued.map((n) => ({ taskId: n.task.id, mapIndex: n.mapIndex, state: "queued" as const })),
        ...ended.map((e) => ({
          taskId: e.node.task.id,
          mapIndex: e.node.mapIndex,
          state: e.state,
          endedAt: at,
          error: e.reason,
        })),
      ]);
      this.ready.push(...queued);
      for (const e of ended) {
        await this.emit({
          type: "task.skipped",
          ...this.base(),
          taskId: e.node.task.id,
          state: e.state,
          reason: e.reason,
          blockedBy: e.blockedBy,
        });
      }
      wave = next;
    }
  }

  private pollLater(node: TaskNode): void {
    node.waiting = true;
    this.waiting++;
    this.s.clock.sleep(this.s.pollMs, this.done.signal).then(
      () => this.post({ kind: "evaluate", node }),
      () => undefined,
    );
  }

  // ── dispatch: queued → running ──────────────────────────────────────────

  private async dispatch(): Promise<void> {
    const deferred: TaskNode[] = [];
    while (this.ready.length > 0 && this.running < this.s.concurrency) {
      const node = this.ready.shift()!;
      if (node.state !== "queued") continue;
      const parent = node.parent;
      const limit = parent?.task.map?.concurrency;
      if (parent && limit !== undefined && parent.children!.filter((c) => c.running).length >= limit) {
        deferred.push(node);
        continue;
      }
      await this.start(node);
    }
    this.ready.unshift(...deferred);
    if (this.poolBlocked.length > 0 && !this.pollScheduled) {
      this.pollScheduled = true;
      this.s.clock.sleep(this.s.pollMs, this.done.signal).then(
        () => this.post({ kind: "pools" }),
        () => undefined,
      );
    }
  }

  private async start(node: TaskNode): Promise<void> {
    const { store, clock, run, owner } = this.s;
    const attempt = node.tryNumber + 1;
    const startedAt = clock.now().getTime();
    const isParent = node.task.map !== undefined && node.mapIndex < 0;
    const pool = isParent ? undefined : node.policy.pool;
    let claimed: boolean;
    try {
      claimed = await store.tasks.startAttempt({
        runId: run.id,
        taskId: node.task.id,
        mapIndex: node.mapIndex,
        attempt,
        owner,
        at: new Date(startedAt).toISOString(),
        ...(pool === undefined ? {} : { pool, poolSlots: node.policy.poolSlots }),
      });
    } catch (error) {
      // A missing or too small pool: the task cannot run at all, retrying will not help.
      if (!(error instanceof WeirError) || error.code === "METADATA_FAILED") throw error;
      return this.failWithoutAttempt(node, error);
    }
    if (!claimed) {
      this.poolBlocked.push(node);
      return;
    }
    node.state = "running";
    node.tryNumber = attempt;
    node.firstStartedAt ??= startedAt;
    this.running++;
    const logger = new AttemptLogger(clock, this.s.logger, (line) =>
      this.emitLater({
        type: "task.log",
        ...this.base(),
        ...this.taskRef(node),
        attempt,
        level: line.level as "info",
        message: line.message,
        ...(line.fields ? { fields: line.fields } : {}),
      }),
    );
    const stats: AttemptStats = { rows: { in: 0, out: 0, rejected: 0 }, quarantined: {}, outputs: [] };
    await this.emit({ type: "task.started", ...this.base(), ...this.taskRef(node), attempt });
    const running = startAttempt(clock, isParent ? undefined : node.policy.timeoutMs, async (signal) => {
      const ctx = buildTaskContext({
        settings: this.s,
        node,
        attempt,
        signal,
        logger,
        stats,
        logicalDate: this.logicalDate,
        interval: this.interval,
        partition: this.partition,
        outputOf: (id) => this.outputFor(node, id),
        emit: (event) => this.emit(event),
      });
      if (isParent) return node.task.map!.items(ctx);
      if (node.parent) return node.task.map!.run(ctx, this.items.get(node.parent)![node.mapIndex]);
      return node.task.run(ctx);
    });
    node.running = running;
    node.logger = logger;
    void running.outcome.then((outcome) =>
      this.post({ kind: "outcome", node, outcome, logger, stats, startedAt }),
    );
  }

  private outputFor(node: TaskNode, id: string): unknown {
    const own = node.task.id;
    if (!this.ancestors.get(own)!.has(id)) {
      throw new TaskError(own, new Error(`outputOf("${id}"): "${id}" is not upstream of "${own}"`));
    }
    return this.nodes.get(id)!.output;
  }

  // ── outcomes: running → success | failed | up_for_retry | skipped | queued ──

  private async onOutcome(
    node: TaskNode,
    outcome: AttemptOutcome,
    logger: AttemptLogger,
    stats: AttemptStats,
    startedAt: number,
  ): Promise<void> {
    delete node.running;
    delete node.logger;
    try {
      await this.onAttemptEnd(node, outcome, logger, stats, startedAt);
    } finally {
      // Wakes executors of this process waiting for a slot (others poll the store).
      if (node.policy.pool !== undefined) poolReleases.emit("release");
    }
  }

  private async onAttemptEnd(
    node: TaskNode,
    outcome: AttemptOutcome,
    logger: AttemptLogger,
    stats: AttemptStats,
    startedAt: number,
  ): Promise<void> {
    const now = this.s.clock.now().getTime();
    const attemptMs = Math.max(0, now - startedAt);
    node.durationMs += attemptMs;
    node.rows = { ...stats.rows };
    node.stats = { quarantined: stats.quarantined, outputs: stats.outputs };
    const isParent = node.task.map !== undefined && node.mapIndex < 0;
    if (outcome.kind === "success" && isParent) return this.expand(node, outcome.output, logger);
    if (outcome.kind === "success") {
      const { json, warning } = serializeOutput(outcome.output);
      if (warning) logger.warn(warning);
      node.output = outcome.output;
      node.hasOutput = true;
      return this.finishNode(node, logger, attemptMs, {
        attemptState: "success",
        state: "success",
        ...(json === undefined ? {} : { output: json }),
      });
    }
    if (outcome.kind === "skipped") {
      return this.finishNode(node, logger, attemptMs, {
        attemptState: "skipped",
        state: "skipped",
        reason: outcome.reason,
      });
    }
    if (outcome.kind === "aborted" && outcome.abort.why === "shutdown") {
      return this.finishNode(node, logger, attemptMs, {
        attemptState: "failed",
        state: "queued",
        error: outcome.abort,
      });
    }
    const error = outcome.kind === "aborted" ? outcome.abort : outcome.error;
    const retry =
      !(outcome.kind === "aborted" && outcome.abort.why === "run_timeout") && node.tryNumber < node.maxTries;
    return this.finishNode(node, logger, attemptMs, {
      attemptState: "failed",
      state: retry ? "up_for_retry" : "failed",
      error,
    });
  }

  /** Writes an attempt's end (and the instance's new state) in one transaction, then reacts to it. */
  private async finishNode(
    node: TaskNode,
    logger: AttemptLogger,
    attemptMs: number,
    end: {
      attemptState: AttemptFinish["attemptState"];
      state: TaskInstanceState;
      output?: string;
      error?: unknown;
      reason?: string;
    },
  ): Promise<void> {
    const { store, run, pipeline } = this.s;
    const at = this.nowIso();
    const info = end.error === undefined ? undefined : errorInfo(end.error);
    let nextTryAt: number | undefined;
    if (end.state === "up_for_retry") {
      nextTryAt = this.s.clock.now().getTime() + retryDelay(node.tryNumber, node.policy.retry, this.s.random);
    }
    const writes = node.mapIndex < 0 && end.state === "success" ? node.task.datasets.writes : [];
    const finished = await store.tasks.finishAttempt({
      runId: run.id,
      taskId: node.task.id,
      mapIndex: node.mapIndex,
      attempt: node.tryNumber,
      attemptState: end.attemptState,
      at,
      ...(info ? { error: { code: attemptCode(end.error, info.code), message: info.message } } : {}),
      instance: {
        state: end.state,
        durationMs: node.durationMs,
        rows: node.rows,
        ...(nextTryAt === undefined ? {} : { nextTryAt: new Date(nextTryAt).toISOString() }),
        ...(end.state === "queued" ? { maxTries: node.maxTries + 1 } : {}),
        ...(info ? { error: `[${info.code}] ${info.message}` } : end.reason ? { error: end.reason } : {}),
        ...(hasStats(node.stats) ? { summary: node.stats } : {}),
      },
      ...(end.output === undefined ? {} : { output: end.output }),
      logs: logger.take(),
      datasetEvents: writes.map((dataset) => ({
        id: newId("dse_"),
        dataset,
        at,
        pipeline: pipeline.id,
        runId: run.id,
        taskId: node.task.id,
        rangeStart: run.intervalStart,
        rangeEnd: run.intervalEnd,
      })),
      materialised: pipeline.partitions
        ? writes.map((dataset) => ({ dataset, start: run.intervalStart, end: run.intervalEnd }))
        : [],
    });
    if (!finished) return this.lost(node);
    if (end.state === "queued") node.maxTries++;
    node.state = end.state;
    if (info) node.error = info;
    if (end.error !== undefined) node.cause = end.error;
    const ref = { ...this.base(), ...this.taskRef(node), attempt: node.tryNumber, durationMs: attemptMs };
    switch (end.state) {
      case "success":
        await this.emit({
          type: "task.succeeded",
          ...ref,
          rows: node.rows,
          quarantined: node.stats.quarantined,
          outputs: node.stats.outputs,
        });
        break;
      case "up_for_retry":
        await this.emit({
          type: "task.retrying",
          ...ref,
          error: info!,
          delayMs: nextTryAt! - this.s.clock.now().getTime(),
          nextTryAt: new Date(nextTryAt!).toISOString(),
        });
        this.notify("retry", {
          taskId: node.task.id,
          attempt: node.tryNumber,
          nextAttemptAt: new Date(nextTryAt!).toISOString(),
          error: info!.message,
        });
        node.nextTryAt = nextTryAt!;
        if (!this.recovering) this.retryAt(node, nextTryAt!);
        return;
      case "failed":
        // A mapped instance's failure is reported by its parent, which names how many failed.
        if (!node.parent) this.firstError ??= taskError(node);
        await this.emit({ type: "task.failed", ...ref, error: info! });
        break;
      case "skipped":
        await this.emit({
          type: "task.skipped",
          ...ref,
          state: "skipped",
          reason: end.reason ?? "skipped",
          blockedBy: [],
        });
        break;
      case "queued":
        return;
    }
    await this.settled(node);
  }

  /** A terminal node: finish its mapped parent when it was the last instance, evaluate what follows. */
  private async settled(node: TaskNode): Promise<void> {
    // While recovering or stopping nothing new is scheduled (a stop skips what is left).
    if (this.recovering) return;
    if (node.parent) {
      const parent = node.parent;
      if (parent.children!.every((c) => isTerminal(c.state))) await this.finishParent(parent);
      return;
    }
    if (!this.stopping) await this.evaluate([...this.downstream.get(node.task.id)!]);
  }

  /** The attempt was reaped as a zombie meanwhile (no heartbeat for too long): take the store's word. */
  private async lost(node: TaskNode): Promise<void> {
    const record = (await this.s.store.tasks.list(this.s.run.id)).find(
      (t) => t.taskId === node.task.id && t.mapIndex === node.mapIndex,
    );
    warn(
      this.s.logger,
      `attempt ${node.tryNumber} of ${node.key} was reaped as a zombie before it finished`,
      {
        runId: this.s.run.id,
        state: record?.state,
      },
    );
    node.state = record?.state ?? "failed";
    if (record?.error) node.error = { code: "TASK_ZOMBIE", message: record.error, details: {} };
    if (node.state === "up_for_retry") {
      this.retryAt(
        node,
        this.s.clock.now().getTime() + retryDelay(node.tryNumber, node.policy.retry, this.s.random),
      );
      return;
    }
    if (node.state === "failed" && !node.parent) this.firstError ??= taskError(node);
    if (isTerminal(node.state)) await this.settled(node);
  }

  private retryAt(node: TaskNode, at: number): void {
    node.nextTryAt = at;
    node.waiting = true;
    this.waiting++;
    const delay = Math.max(0, at - this.s.clock.now().getTime());
    if (delay === 0) {
      this.post({ kind: "retry", node });
      return;
    }
    this.s.clock.sleep(delay, this.done.signal).then(
      () => this.post({ kind: "retry", node }),
      () => undefined,
    );
  }

  private async failWithoutAttempt(node: TaskNode, error: WeirError): Promise<void> {
    node.state = "failed";
    node.error = errorInfo(error);
    node.cause = error;
    await this.s.store.tasks.transition(this.s.run.id, [
      {
        taskId: node.task.id,
        mapIndex: node.mapIndex,
        state: "failed",
        endedAt: this.nowIso(),
        error: `[${error.code}] ${error.message}`,
      },
    ]);
    if (!node.parent) this.firstError ??= taskError(node);
    await this.emit({
      type: "task.failed",
      ...this.base(),
      ...this.taskRef(node),
      attempt: 0,
      durationMs: 0,
      error: node.error,
    });
    await this.settled(node);
  }

  // ── fan-out ─────────────────────────────────────────────────────────────

  private async expand(parent: TaskNode, items: unknown, logger: AttemptLogger): Promise<void> {
    if (!Array.isArray(items)) {
      const error = new TaskError(
        parent.task.id,
        new Error(`map must return an array of items, got ${typeof items}`),
      );
      return this.finishNode(parent, logger, 0, { attemptState: "failed", state: "failed", error });
    }
    const { store, run } = this.s;
    this.items.set(parent, items);
    const existing = parent.children ?? [];
    const children = items.map((_, i) => existing[i] ?? newNode(parent.task, parent.policy, i, parent));
    parent.children = children;
    logger.info(`mapped over ${items.length} item(s)`);
    await store.tasks.appendLogs(
      { runId: run.id, taskId: parent.task.id, mapIndex: -1, attempt: parent.tryNumber },
      logger.take(),
    );
    if (children.length === 0) return this.finishParent(parent);
    await store.tasks.expand(
      run.id,
      {
        taskId: parent.task.id,
        retries: parent.policy.retries,
        ...(parent.policy.pool ? { pool: parent.policy.pool } : {}),
      },
      children.length,
    );
    const pending = children.filter((c) => c.state === "pending" || c.state === "queued");
    for (const child of pending) child.state = "queued";
    await store.tasks.transition(
      run.id,
      pending.map((c) => ({ taskId: c.task.id, mapIndex: c.mapIndex, state: "queued" as const })),
    );
    this.ready.push(...pending);
    for (const child of children) {
      if (child.state === "up_for_retry" && !child.waiting) {
        this.retryAt(child, child.nextTryAt ?? this.s.clock.now().getTime());
      }
    }
    if (children.every((c) => isTerminal(c.state))) await this.finishParent(parent);
  }

  /** All instances of a mapped task ended: the parent succeeds with their outputs, or fails (no retry of its own). */
  private async finishParent(parent: TaskNode): Promise<void> {
    const children = parent.children ?? [];
    const failed = children.filter((c) => c.state === "failed" || c.state === "upstream_failed");
    parent.rows = { in: 0, out: 0, rejected: 0 };
    parent.stats = { quarantined: {}, outputs: [] };
    for (const c of children) {
      parent.rows.in! += c.rows.in ?? 0;
      parent.rows.out! += c.rows.out ?? 0;
      parent.rows.rejected! += c.rows.rejected ?? 0;
      for (const [check, n] of Object.entries(c.stats.quarantined)) {
        parent.stats.quarantined[check] = (parent.stats.quarantined[check] ?? 0) + n;
      }
      parent.stats.outputs.push(...c.stats.outputs);
    }
    parent.durationMs = Math.max(
      0,
      this.s.clock.now().getTime() - (parent.firstStartedAt ?? this.s.clock.now().getTime()),
    );
    const logger = new AttemptLogger(this.s.clock, this.s.logger, () => undefined);
    if (failed.length > 0) {
      const first = failed[0]!;
      const error = new TaskError(
        parent.task.id,
        new Error(
          `${failed.length} of ${children.length} mapped instances failed; ${first.key}: ${first.error?.message ?? first.state}`,
        ),
      );
      parent.maxTries = parent.tryNumber;
      return this.finishNode(parent, logger, 0, { attemptState: "failed", state: "failed", error });
    }
    const outputs = children.map((c) => c.output);
    parent.output = outputs;
    parent.hasOutput = true;
    const { json, warning } = serializeOutput(outputs);
    if (warning) logger.warn(warning);
    return this.finishNode(parent, logger, 0, {
      attemptState: "success",
      state: "success",
      ...(json === undefined ? {} : { output: json }),
    });
  }

  // ── stopping: run timeout, shutdown ─────────────────────────────────────

  private stop(why: "run_timeout" | "shutdown", abort: AttemptAbort): void {
    if (this.stopping) return;
    this.stopping = why;
    if (why === "run_timeout") this.firstError ??= abort;
    for (const node of this.allNodes()) node.running?.controller.abort(abort);
  }

  /** After a stop, once no attempt runs: skip what is left (run timeout) or release parents (shutdown). */
  private async settleStopped(): Promise<void> {
    const at = this.nowIso();
    const open = this.allNodes().filter((n) => !isTerminal(n.state));
    if (this.stopping === "run_timeout") {
      const reason = `[TASK_TIMEOUT] ${this.runTimeoutMessage()}`;
      for (const node of open) {
        if (node.state === "running") {
          // A mapped parent whose instances were aborted: fail its open attempt.
          await this.finishNode(node, new AttemptLogger(this.s.clock, this.s.logger, () => undefined), 0, {
            attemptState: "failed",
            state: "failed",
            error: new AttemptAbort("run_timeout", this.runTimeoutMessage()),
          });
          continue;
        }
        node.state = "skipped";
        node.error = { code: "TASK_TIMEOUT", message: reason, details: {} };
      }
      await this.s.store.tasks.transition(
        this.s.run.id,
        open
          .filter((n) => n.state === "skipped")
          .map((n) => ({
            taskId: n.task.id,
            mapIndex: n.mapIndex,
            state: "skipped" as const,
            endedAt: at,
            error: reason,
          })),
      );
      for (const node of open.filter((n) => n.state === "skipped" && n.mapIndex < 0)) {
        await this.emit({
          type: "task.skipped",
          ...this.base(),
          ...this.taskRef(node),
          state: "skipped",
          reason,
          blockedBy: [],
        });
      }
      return;
    }
    for (const node of open.filter((n) => n.state === "running")) {
      await this.finishNode(node, new AttemptLogger(this.s.clock, this.s.logger, () => undefined), 0, {
        attemptState: "failed",
        state: "queued",
        error: new AttemptAbort("shutdown", "interrupted: the executor shut down"),
      });
    }
  }

  private runTimeoutMessage(): string {
    return `run of pipeline "${this.s.pipeline.id}" timed out after ${formatDuration(this.s.pipeline.runTimeoutMs ?? 0)}`;
  }

  // ── timers, heartbeats, SLA ─────────────────────────────────────────────

  private startTimers(started: number): void {
    const { clock, pipeline, run } = this.s;
    if (pipeline.runTimeoutMs !== undefined) {
      clock.sleep(pipeline.runTimeoutMs, this.done.signal).then(
        () => this.post({ kind: "run_timeout" }),
        () => undefined,
      );
    }
    const sla = pipeline.notifications.slaMs;
    if (sla !== undefined) {
      const deadline = Date.parse(run.queuedAt) + sla;
      clock.sleep(Math.max(0, deadline - started), this.done.signal).then(
        () => this.post({ kind: "sla", deadline }),
        () => undefined,
      );
    }
  }

  private async slaMissed(deadline: number): Promise<void> {
    if (this.allDone()) return;
    const at = new Date(deadline).toISOString();
    await this.emit({ type: "run.sla_missed", ...this.base(), deadline: at });
    this.notify("sla_miss", { deadline: at });
  }

  // ── resume ──────────────────────────────────────────────────────────────

  /**
   * Instances a dead executor left running: their attempts failed (and retry per policy),
   * like a reaped zombie. A mapped parent is only re-queued: its items are computed again
   * and its instances that ended are kept.
   */
  private async recoverInterrupted(): Promise<void> {
    this.recovering = true;
    try {
      for (const node of this.allNodes()) {
        if (node.state !== "running") continue;
        const error = new WeirError(
          "INTERNAL",
          "interrupted: the executor running this attempt stopped (crash or kill)",
        );
        const logger = new AttemptLogger(this.s.clock, this.s.logger, () => undefined);
        const isParent = node.task.map !== undefined && node.mapIndex < 0;
        const state = isParent ? "queued" : node.tryNumber < node.maxTries ? "up_for_retry" : "failed";
        await this.finishNode(node, logger, 0, { attemptState: "failed", state, error });
      }
    } finally {
      this.recovering = false;
    }
    const now = this.s.clock.now().getTime();
    for (const node of this.nodes.values()) {
      if (node.state === "queued") this.ready.push(node);
      if (node.state === "up_for_retry") {
        this.retryAt(
          node,
          node.nextTryAt ?? now + retryDelay(Math.max(1, node.tryNumber), node.policy.retry, this.s.random),
        );
      }
    }
  }

  // ── finishing ───────────────────────────────────────────────────────────

  private async finish(started: number): Promise<RunResult> {
    const { store, run, clock } = this.s;
    const durationMs = Math.max(0, clock.now().getTime() - started);
    const interrupted = this.stopping === "shutdown";
    const failed = [...this.nodes.values()].some(
      (n) => n.state === "failed" || n.state === "upstream_failed",
    );
    const state = failed || interrupted || this.stopping === "run_timeout" ? "failed" : "succeeded";
    const result = summarizeNodes({
      runId: run.id,
      pipeline: this.s.pipeline,
      logicalDate: run.logicalDate,
      durationMs,
      state,
      nodes: this.nodes,
      ...(this.firstError ? { error: this.firstError } : {}),
      interrupted,
    });
    if (interrupted) {
      await store.runs.release(run.id, this.s.owner);
    } else {
      await store.runs.finish(run.id, {
        state,
        endedAt: clock.now().toISOString(),
        summary: result.summary,
        ...(this.firstError ? { error: `[${this.firstError.code}] ${this.firstError.message}` } : {}),
      });
      await this.emit({ type: "run.finished", ...this.base(), state, durationMs, summary: result.summary });
      this.notify(state === "succeeded" ? "success" : "failure", {
        ...(this.firstError ? { error: this.firstError.message } : {}),
        ...(this.firstError?.details.taskId ? { taskId: String(this.firstError.details.taskId) } : {}),
      });
    }
    await this.chain;
    await Promise.all(this.notifications);
    return result;
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private allNodes(): TaskNode[] {
    const out: TaskNode[] = [];
    for (const node of this.nodes.values()) {
      out.push(node);
      if (node.children) out.push(...node.children.filter(Boolean));
    }
    return out;
  }

  private async transition(nodes: TaskNode[], state: TaskInstanceState): Promise<void> {
    for (const node of nodes) node.state = state;
    await this.s.store.tasks.transition(
      this.s.run.id,
      nodes.map((n) => ({ taskId: n.task.id, mapIndex: n.mapIndex, state })),
    );
  }

  private base(): { runId: string; pipeline: string; at: string } {
    return { runId: this.s.run.id, pipeline: this.s.pipeline.id, at: this.nowIso() };
  }

  private taskRef(node: TaskNode): { taskId: string; mapIndex?: number } {
    return node.mapIndex < 0 ? { taskId: node.task.id } : { taskId: node.task.id, mapIndex: node.mapIndex };
  }

  private nowIso(): string {
    return this.s.clock.now().toISOString();
  }

  /** Events reach listeners in order; a listener that throws stops the run (the store is one). */
  private emit(event: RunEvent): Promise<void> {
    const next = this.chain.then(async () => {
      for (const listener of this.s.listeners) await listener(event);
    });
    this.chain = next.catch((error: unknown) => {
      this.fatal ??= error;
      this.wake();
    });
    return next;
  }

  private emitLater(event: RunEvent): void {
    void this.emit(event).catch(() => undefined);
  }

  private notify(kind: NotificationKind, extra: Partial<Notification>): void {
    const notify = this.s.notify;
    if (!notify) return;
    const { run, pipeline } = this.s;
    const notification: Notification = {
      kind,
      pipeline: pipeline.id,
      runId: run.id,
      logicalDate: run.logicalTime,
      ...(pipeline.owner ? { owner: pipeline.owner } : {}),
      at: this.nowIso(),
      ...extra,
    };
    const sent = notify(notification).catch((error: unknown) => {
      warn(this.s.logger, `notification (${kind}) failed: ${messageOf(error)}`, { runId: run.id });
    });
    this.notifications.add(sent);
    void sent.finally(() => this.notifications.delete(sent));
  }
}
