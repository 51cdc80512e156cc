import type { MetadataStore, RunRecord, TaskInstanceRecord } from "../../metadata/metadata-store.js";
import { type RunSummary, runSummaryOf } from "../run-summary.js";

export interface TaskChange {
  runId: string;
  taskId: string;
  mapIndex: number;
  state: string;
  tryNumber: number;
}

export interface Changes {
  runs: RunSummary[];
  tasks: TaskChange[];
}

/** How far back each poll also looks for finished runs: writes commit a little after their ended_at. */
const ENDED_OVERLAP_MS = 5_000;
/** The newest runs looked at for ones that started and finished between two polls. */
const RECENT_LIMIT = 500;
/** Unfinished runs watched at most (the newest); more is a backlog the list shows anyway. */
const ACTIVE_LIMIT = 5_000;

/**
 * Finds what changed in the store since the last look, cheaply enough to run every 500 ms
 * against 100k runs: the unfinished runs (queued, running — few, and indexed by state),
 * compared with the last snapshot, plus the newest runs (a run may be created and finish
 * between two polls). Task instances are read only for runs that are
 * running or just changed. Changes another process makes show up like this process's own.
 */
export class RunChangeTracker {
  private runs = new Map<string, string>();
  private readonly tasks = new Map<string, string>();
  private lastPollAt: number | undefined;
  private readonly seenEnded = new Map<string, number>();

  constructor(
    private readonly store: MetadataStore,
    private readonly runId?: string,
  ) {}

  /** Takes the first snapshot: what exists now is not a change. */
  async prime(now: number): Promise<void> {
    await this.poll(now);
  }

  /** Records a run seen elsewhere (an in-process event); true when it is news. */
  noteRun(run: RunRecord): boolean {
    const fingerprint = runFingerprint(run);
    if (this.runs.get(run.id) === fingerprint) return false;
    if (run.state === "queued" || run.state === "running") this.runs.set(run.id, fingerprint);
    else {
      this.runs.delete(run.id);
      this.seenEnded.set(`${run.id}|${run.endedAt}`, Date.now());
    }
    return true;
  }

  /** Records a task instance state seen elsewhere; true when it is news. */
  noteTask(change: TaskChange): boolean {
    const key = `${change.runId}\u0000${change.taskId}\u0000${change.mapIndex}`;
    const fingerprint = `${change.state}|${change.tryNumber}`;
    if (this.tasks.get(key) === fingerprint) return false;
    this.tasks.set(key, fingerprint);
    return true;
  }

  /** The changes since the previous poll (none on the first). */
  async poll(now: number): Promise<Changes> {
    const first = this.lastPollAt === undefined;
    const since = new Date((this.lastPollAt ?? now) - ENDED_OVERLAP_MS).toISOString();
    this.lastPollAt = now;
    const scope = this.runId;
    const active = scope
      ? [await this.store.runs.get(scope)].filter((r): r is RunRecord => !!r && !isFinished(r))
      : await this.store.runs.list({ states: ["queued", "running"], limit: ACTIVE_LIMIT });
    // A run that was queued, claimed and finished between two polls was never seen unfinished:
    // it is among the newest by start time (the (started_at, id) index answers that), not by
    // ended_at, which has no index.
    const ended = scope
      ? [await this.store.runs.get(scope)].filter((r): r is RunRecord => !!r && isFinished(r))
      : (await this.store.runs.list({ limit: RECENT_LIMIT })).filter(
          (r) => isFinished(r) && r.startedAt >= since,
        );
    const changed: RunRecord[] = [];
    const next = new Map<string, string>();
    for (const run of active) {
      const fingerprint = runFingerprint(run);
      next.set(run.id, fingerprint);
      if (this.runs.get(run.id) !== fingerprint) changed.push(run);
    }
    // Runs that were unfinished and are gone from the list finished (or were deleted).
    const vanished = [...this.runs.keys()].filter((id) => !next.has(id));
    this.runs = next;
    const endedById = new Map(ended.map((r) => [r.id, r]));
    for (const id of vanished) {
      const run = endedById.get(id) ?? (await this.store.runs.get(id));
      if (run && isFinished(run)) endedById.set(run.id, run);
    }
    for (const run of endedById.values()) {
      const key = `${run.id}|${run.endedAt}`;
      if (this.seenEnded.has(key)) continue;
      this.seenEnded.set(key, now);
      changed.push(run);
    }
    for (const [key, at] of this.seenEnded) if (at < now - 4 * ENDED_OVERLAP_MS) this.seenEnded.delete(key);
    const tasks: TaskChange[] = [];
    for (const run of [...active.filter((r) => r.state === "running"), ...changed]) {
      for (const t of await this.store.tasks.list(run.id)) {
        const change = taskChange(t);
        if (this.noteTask(change) && !first) tasks.push(change);
      }
    }
    if (first) return { runs: [], tasks: [] };
    const runs = dedupe(changed).map(runSummaryOf);
    return { runs, tasks: dedupeTasks(tasks) };
  }
}

export function taskChange(t: TaskInstanceRecord): TaskChange {
  return { runId: t.runId, taskId: t.taskId, mapIndex: t.mapIndex, state: t.state, tryNumber: t.tryNumber };
}

function isFinished(run: RunRecord): boolean {
  return run.state === "succeeded" || run.state === "failed";
}

function runFingerprint(run: RunRecord): string {
  return `${run.state}|${run.startedAt}|${run.endedAt ?? ""}`;
}

function dedupe(runs: RunRecord[]): RunRecord[] {
  return [...new Map(runs.map((r) => [r.id, r])).values()];
}

function dedupeTasks(tasks: TaskChange[]): TaskChange[] {
  return [...new Map(tasks.map((t) => [`${t.runId}\u0000${t.taskId}\u0000${t.mapIndex}`, t])).values()];
}
