import { PipelineError } from "../core/errors.js";
import { clearTaskInstances } from "./clear-task-instances.js";
import { addMaterialisedRange, type DatasetEventRecord, insertDatasetEvents } from "./dataset-store.js";
import type { RowCounts } from "./metadata-store.js";
import { type ReapedAttempt, reapStaleAttempts } from "./reap-stale-attempts.js";
import {
  fromJson,
  optionalNumber,
  placeholders,
  type SqlConnection,
  type SqlDatabase,
  type SqlValue,
  toJson,
  toNumber,
} from "./sql-database.js";

/**
 * Airflow's task-instance states, plus `pending` (Airflow's "none": not yet evaluated).
 * pending → queued → running → success | failed | up_for_retry (→ queued again);
 * pending → skipped | upstream_failed when the trigger rule can no longer be met.
 */
export type TaskInstanceState =
  | "pending"
  | "queued"
  | "running"
  | "success"
  | "failed"
  | "up_for_retry"
  | "skipped"
  | "upstream_failed";

/** An attempt ends in success, failed, or skipped (the task called `ctx.skip()`). */
export type AttemptState = "running" | "success" | "failed" | "skipped";

/** `mapIndex` is -1 for a task that is not mapped and for the parent of a mapped one. */
export interface TaskInstanceKey {
  taskId: string;
  mapIndex: number;
}

export interface AttemptKey extends TaskInstanceKey {
  runId: string;
  attempt: number;
}

export interface NewTaskInstance extends TaskInstanceKey {
  retries: number;
  pool?: string;
}

export interface TaskInstanceRecord extends TaskInstanceKey {
  runId: string;
  state: TaskInstanceState;
  /** Attempts made so far. */
  tryNumber: number;
  /** The highest attempt number allowed (retries + 1, more after a clear or an interruption). */
  maxTries: number;
  retries: number;
  pool?: string;
  /** When an up_for_retry instance may run again; absent after reaping (the executor computes it). */
  nextTryAt?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  rows: RowCounts;
  error?: string;
  /** What the executor keeps for the run summary (quarantined rows by check, outputs listed). */
  summary?: unknown;
}

/** A state change that needs no attempt: queued, skipped, upstream_failed, up_for_retry → queued. */
export interface TaskTransition extends TaskInstanceKey {
  state: TaskInstanceState;
  /** Sets ended_at (terminal states). */
  endedAt?: string;
  error?: string;
  maxTries?: number;
}

export interface AttemptStart extends AttemptKey {
  owner: string;
  at: string;
  pool?: string;
  /** Slots of the pool this attempt takes; default 1. */
  poolSlots?: number;
  /**
   * When the pool looks full: attempts holding its slots whose heartbeat is older than this
   * are reaped first (their process died), so dead slots free up without a scheduler.
   */
  staleBefore?: string;
}

export interface TaskLogLine {
  seq: number;
  at: string;
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** Everything an attempt's end writes, in one transaction. */
export interface AttemptFinish extends AttemptKey {
  attemptState: "success" | "failed" | "skipped";
  at: string;
  error?: { code: string; message: string };
  instance: {
    state: TaskInstanceState;
    nextTryAt?: string;
    maxTries?: number;
    durationMs?: number;
    rows?: RowCounts;
    error?: string;
    summary?: unknown;
  };
  /** The task's output as JSON text. */
  output?: string;
  logs?: readonly TaskLogLine[];
  datasetEvents?: readonly DatasetEventRecord[];
  materialised?: readonly { dataset: string; start: string; end: string }[];
}

export interface AttemptRecord extends AttemptKey {
  state: AttemptState;
  owner?: string;
  pool?: string;
  startedAt: string;
  heartbeatAt?: string;
  endedAt?: string;
  errorCode?: string;
  error?: string;
}

export type { ReapedAttempt } from "./reap-stale-attempts.js";

export interface TaskStore {
  list(runId: string): Promise<TaskInstanceRecord[]>;
  /** Applies state changes that need no attempt, in one transaction. */
  transition(runId: string, changes: readonly TaskTransition[]): Promise<void>;
  /** Creates the instances 0…count-1 of a mapped task (those that exist already are kept). */
  expand(
    runId: string,
    parent: { taskId: string; retries: number; pool?: string },
    count: number,
  ): Promise<void>;
  /**
   * Starts an attempt: the instance becomes running and the attempt is recorded with its
   * first heartbeat. With a pool, first checks a slot is free — in the same transaction,
   * so processes sharing the store never exceed it; when it is full, stale attempts
   * holding its slots are reaped first (`staleBefore`). False when the pool is full.
   */
  startAttempt(start: AttemptStart): Promise<boolean>;
  /**
   * Ends an attempt and records its instance's new state, output, logs, dataset events
   * and materialised ranges. False (and nothing written) when the attempt is no longer
   * running: it was reaped as a zombie meanwhile.
   */
  finishAttempt(finish: AttemptFinish): Promise<boolean>;
  /** Stores log lines of a running attempt (flushed with heartbeats, so a crash keeps most). */
  appendLogs(key: AttemptKey, lines: readonly TaskLogLine[]): Promise<void>;
  logs(
    runId: string,
    filter?: { taskId?: string; mapIndex?: number; attempt?: number },
  ): Promise<(TaskLogLine & AttemptKey)[]>;
  attempts(runId: string, taskId?: string): Promise<AttemptRecord[]>;
  /** Stored outputs (JSON text) of the run's instances. */
  outputs(runId: string): Promise<{ taskId: string; mapIndex: number; value: string }[]>;
  /**
   * Marks running attempts whose last heartbeat is before `staleBefore` failed, and their
   * instances up_for_retry (attempts left) or failed. An attempt of a running run whose own
   * heartbeat is stale is reaped too: one loop heartbeats both, so an attempt that started
   * after the loop's last beat died with it. `runId` limits it to one run's attempts.
   * Returns what it reaped.
   */
  reapZombies(
    staleBefore: string,
    at: string,
    scope?: { runId?: string; owner?: string },
  ): Promise<ReapedAttempt[]>;
  /**
   * Resets instances to pending with a fresh set of retries, drops their outputs (and a
   * mapped task's expanded instances), and sets the run back to queued so it runs again.
   * False, and nothing changed, when the run is running (an executor claimed it meanwhile)
   * — unless `owner` is the executor that claimed it: then the run stays running, its own.
   */
  clear(runId: string, keys: readonly TaskInstanceKey[], options?: { owner?: string }): Promise<boolean>;
}

interface InstanceRow {
  run_id: string;
  task_id: string;
  map_index: number | string;
  state: string;
  try_number: number | string;
  max_tries: number | string;
  retries: number | string;
  pool: string | null;
  next_try_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | string | null;
  rows_in: number | string | null;
  rows_out: number | string | null;
  rows_rejected: number | string | null;
  error: string | null;
  summary: string | null;
}

interface AttemptRow {
  run_id: string;
  task_id: string;
  map_index: number | string;
  attempt: number | string;
  state: string;
  owner: string | null;
  pool: string | null;
  started_at: string;
  heartbeat_at: string | null;
  ended_at: string | null;
  error_code: string | null;
  error: string | null;
}

const KEY = "run_id = ? AND task_id = ? AND map_index = ?";
const ROWS_PER_INSERT = 100;

/** Inserts pending instances, many rows per statement (one round trip per 100 on PostgreSQL). */
export async function insertTaskInstances(
  tx: SqlConnection,
  runId: string,
  tasks: readonly NewTaskInstance[],
): Promise<void> {
  for (let i = 0; i < tasks.length; i += ROWS_PER_INSERT) {
    const chunk = tasks.slice(i, i + ROWS_PER_INSERT);
    const params: SqlValue[] = [];
    for (const t of chunk) params.push(runId, t.taskId, t.mapIndex, t.retries + 1, t.retries, t.pool);
    await tx.run(
      `INSERT INTO task_instances (run_id, task_id, map_index, state, try_number, max_tries, retries, pool)
       VALUES ${chunk.map(() => "(?, ?, ?, 'pending', 0, ?, ?, ?)").join(", ")}
       ON CONFLICT (run_id, task_id, map_index) DO NOTHING`,
      params,
    );
  }
}

export class SqlTaskStore implements TaskStore {
  constructor(private readonly db: SqlDatabase) {}

  async list(runId: string): Promise<TaskInstanceRecord[]> {
    const rows = await this.db.all<InstanceRow>(
      "SELECT * FROM task_instances WHERE run_id = ? ORDER BY task_id, map_index",
      [runId],
    );
    return rows.map(toInstance);
  }

  async transition(runId: string, changes: readonly TaskTransition[]): Promise<void> {
    if (changes.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const c of changes) {
        await tx.run(
          `UPDATE task_instances SET state = ?, ended_at = ?, error = ?, next_try_at = NULL,
             max_tries = COALESCE(?, max_tries) WHERE ${KEY}`,
          [c.state, c.endedAt, c.error, c.maxTries, runId, c.taskId, c.mapIndex],
        );
      }
    });
  }

  async expand(
    runId: string,
    parent: { taskId: string; retries: number; pool?: string },
    count: number,
  ): Promise<void> {
    const children = Array.from({ length: count }, (_, mapIndex) => ({ ...parent, mapIndex }));
    await this.db.transaction((tx) => insertTaskInstances(tx, runId, children));
  }

  async startAttempt(s: AttemptStart): Promise<boolean> {
    const slots = s.poolSlots ?? 1;
    return this.db.transaction(async (tx) => {
      if (s.pool !== undefined) {
        const pool = await tx.get<{ slots: number | string }>(
          `SELECT slots FROM pools WHERE name = ?${this.db.dialect.forUpdate}`,
          [s.pool],
        );
        if (!pool) {
          throw new PipelineError(
            "PIPELINE_INVALID",
            `task "${s.taskId}" uses pool "${s.pool}", which does not exist: declare it in the pipeline (pools: { ${s.pool}: 2 }) or create it in the metadata store`,
            { details: { taskId: s.taskId, pool: s.pool } },
          );
        }
        if (slots > toNumber(pool.slots)) {
          throw new PipelineError(
            "PIPELINE_INVALID",
            `task "${s.taskId}" needs ${slots} slots of pool "${s.pool}", which has only ${toNumber(pool.slots)}`,
            { details: { taskId: s.taskId, pool: s.pool } },
          );
        }
        let used = await usedSlots(tx, s.pool);
        if (used + slots > toNumber(pool.slots) && s.staleBefore !== undefined) {
          // Whoever next needs a slot frees those of dead attempts: with no scheduler
          // running, nobody else would, and the pool would stay full forever.
          const reaped = await reapStaleAttempts(tx, { staleBefore: s.staleBefore, at: s.at, pool: s.pool });
          if (reaped.length > 0) used = await usedSlots(tx, s.pool);
        }
        if (used + slots > toNumber(pool.slots)) return false;
      }
      await tx.run(
        `INSERT INTO task_attempts (run_id, task_id, map_index, attempt, state, owner, pool, pool_slots, started_at, heartbeat_at)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
        [s.runId, s.taskId, s.mapIndex, s.attempt, s.owner, s.pool, slots, s.at, s.at],
      );
      await tx.run(
        `UPDATE task_instances SET state = 'running', try_number = ?, started_at = ?, ended_at = NULL,
           next_try_at = NULL, error = NULL WHERE ${KEY}`,
        [s.attempt, s.at, s.runId, s.taskId, s.mapIndex],
      );
      return true;
    });
  }

  async finishAttempt(f: AttemptFinish): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const ended = await tx.run(
        `UPDATE task_attempts SET state = ?, ended_at = ?, error_code = ?, error = ?
         WHERE ${KEY} AND attempt = ? AND state = 'running'`,
        [f.attemptState, f.at, f.error?.code, f.error?.message, f.runId, f.taskId, f.mapIndex, f.attempt],
      );
      if (ended === 0) return false;
      const i = f.instance;
      await tx.run(
        `UPDATE task_instances SET state = ?, ended_at = ?, next_try_at = ?, max_tries = COALESCE(?, max_tries),
           duration_ms = ?, rows_in = ?, rows_out = ?, rows_rejected = ?, error = ?, summary = ?
         WHERE ${KEY}`,
        [
          i.state,
          f.at,
          i.nextTryAt,
          i.maxTries,
          i.durationMs,
          i.rows?.in,
          i.rows?.out,
          i.rows?.rejected,
          i.error,
          toJson(i.summary),
          f.runId,
          f.taskId,
          f.mapIndex,
        ],
      );
      if (f.output !== undefined) {
        await tx.run(
          `INSERT INTO task_outputs (run_id, task_id, map_index, value) VALUES (?, ?, ?, ?)
           ON CONFLICT (run_id, task_id, map_index) DO UPDATE SET value = excluded.value`,
          [f.runId, f.taskId, f.mapIndex, f.output],
        );
      }
      if (f.logs?.length) await insertLogs(tx, f, f.logs);
      if (f.datasetEvents?.length) await insertDatasetEvents(tx, f.datasetEvents);
      for (const m of f.materialised ?? []) await addMaterialisedRange(tx, m.dataset, m.start, m.end);
      return true;
    });
  }

  async appendLogs(key: AttemptKey, lines: readonly TaskLogLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.db.transaction((tx) => insertLogs(tx, key, lines));
  }

  async logs(
    runId: string,
    filter: { taskId?: string; mapIndex?: number; attempt?: number } = {},
  ): Promise<(TaskLogLine & AttemptKey)[]> {
    const clauses = ["run_id = ?"];
    const params: SqlValue[] = [runId];
    for (const [column, value] of [
      ["task_id", filter.taskId],
      ["map_index", filter.mapIndex],
      ["attempt", filter.attempt],
    ] as const) {
      if (value === undefined) continue;
      clauses.push(`${column} = ?`);
      params.push(value);
    }
    const rows = await this.db.all<{
      run_id: string;
      task_id: string;
      map_index: number | string;
      attempt: number | string;
      seq: number | string;
      at: string;
      level: string;
      message: string;
      fields: string | null;
    }>(
      `SELECT * FROM task_logs WHERE ${clauses.join(" AND ")} ORDER BY at, task_id, map_index, attempt, seq`,
      params,
    );
    return rows.map((r) => ({
      runId: r.run_id,
      taskId: r.task_id,
      mapIndex: toNumber(r.map_index),
      attempt: toNumber(r.attempt),
      seq: toNumber(r.seq),
      at: r.at,
      level: r.level,
      message: r.message,
      ...(r.fields === null ? {} : { fields: JSON.parse(r.fields) as Record<string, unknown> }),
    }));
  }

  async attempts(runId: string, taskId?: string): Promise<AttemptRecord[]> {
    const rows = await this.db.all<AttemptRow>(
      `SELECT * FROM task_attempts WHERE run_id = ?${taskId === undefined ? "" : " AND task_id = ?"}
       ORDER BY started_at, task_id, map_index, attempt`,
      taskId === undefined ? [runId] : [runId, taskId],
    );
    return rows.map(toAttempt);
  }

  async outputs(runId: string): Promise<{ taskId: string; mapIndex: number; value: string }[]> {
    const rows = await this.db.all<{ task_id: string; map_index: number | string; value: string }>(
      "SELECT task_id, map_index, value FROM task_outputs WHERE run_id = ?",
      [runId],
    );
    return rows.map((r) => ({ taskId: r.task_id, mapIndex: toNumber(r.map_index), value: r.value }));
  }

  async reapZombies(
    staleBefore: string,
    at: string,
    scope: { runId?: string; owner?: string } = {},
  ): Promise<ReapedAttempt[]> {
    return this.db.transaction((tx) =>
      reapStaleAttempts(tx, {
        staleBefore,
        at,
        ...(scope.runId ? { runId: scope.runId } : {}),
        ...(scope.owner ? { owner: scope.owner } : {}),
      }),
    );
  }

  async clear(
    runId: string,
    keys: readonly TaskInstanceKey[],
    options: { owner?: string } = {},
  ): Promise<boolean> {
    return this.db.transaction((tx) => clearTaskInstances(tx, runId, keys, options.owner));
  }
}

/** Slots of the pool that running attempts hold now. */
async function usedSlots(tx: SqlConnection, pool: string): Promise<number> {
  const used = await tx.get<{ n: number | string }>(
    "SELECT COALESCE(SUM(pool_slots), 0) AS n FROM task_attempts WHERE pool = ? AND state = 'running'",
    [pool],
  );
  return toNumber(used?.n ?? 0);
}

async function insertLogs(tx: SqlConnection, key: AttemptKey, lines: readonly TaskLogLine[]): Promise<void> {
  for (let i = 0; i < lines.length; i += ROWS_PER_INSERT) {
    const chunk = lines.slice(i, i + ROWS_PER_INSERT);
    const params: SqlValue[] = [];
    for (const l of chunk) {
      params.push(
        key.runId,
        key.taskId,
        key.mapIndex,
        key.attempt,
        l.seq,
        l.at,
        l.level,
        l.message,
        toJson(l.fields),
      );
    }
    // A line stored already is kept: a worker that lost its connection mid-COMMIT writes its
    // lines again (it cannot know whether they were stored), and must not fail on them.
    await tx.run(
      `INSERT INTO task_logs (run_id, task_id, map_index, attempt, seq, at, level, message, fields)
       VALUES ${chunk.map(() => `(${placeholders(9)})`).join(", ")}
       ON CONFLICT (run_id, task_id, map_index, attempt, seq) DO NOTHING`,
      params,
    );
  }
}

function toInstance(row: InstanceRow): TaskInstanceRecord {
  const rows: RowCounts = {};
  if (row.rows_in !== null) rows.in = toNumber(row.rows_in);
  if (row.rows_out !== null) rows.out = toNumber(row.rows_out);
  if (row.rows_rejected !== null) rows.rejected = toNumber(row.rows_rejected);
  const durationMs = optionalNumber(row.duration_ms);
  return {
    runId: row.run_id,
    taskId: row.task_id,
    mapIndex: toNumber(row.map_index),
    state: row.state as TaskInstanceState,
    tryNumber: toNumber(row.try_number),
    maxTries: toNumber(row.max_tries),
    retries: toNumber(row.retries),
    ...(row.pool === null ? {} : { pool: row.pool }),
    ...(row.next_try_at === null ? {} : { nextTryAt: row.next_try_at }),
    ...(row.started_at === null ? {} : { startedAt: row.started_at }),
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    ...(durationMs === undefined ? {} : { durationMs }),
    rows,
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.summary === null ? {} : { summary: fromJson<unknown>(row.summary) }),
  };
}

function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    runId: row.run_id,
    taskId: row.task_id,
    mapIndex: toNumber(row.map_index),
    attempt: toNumber(row.attempt),
    state: row.state as AttemptState,
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(row.pool === null ? {} : { pool: row.pool }),
    startedAt: row.started_at,
    ...(row.heartbeat_at === null ? {} : { heartbeatAt: row.heartbeat_at }),
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    ...(row.error_code === null ? {} : { errorCode: row.error_code }),
    ...(row.error === null ? {} : { error: row.error }),
  };
}
