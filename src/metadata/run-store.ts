import { messageOf, WeirError } from "../core/errors.js";
import { insertRun, type RunInsert, type RunRow, runKeyOf, toRun } from "./run-row.js";
import {
  placeholders,
  type SqlConnection,
  type SqlDatabase,
  type SqlValue,
  toJson,
  toNumber,
} from "./sql-database.js";
import { insertTaskInstances, type NewTaskInstance } from "./task-store.js";

/** queued: created, not started; running: an executor owns it (or owned it and died). */
export type RunState = "queued" | "running" | "succeeded" | "failed";
export type RunType = "scheduled" | "manual" | "backfill" | "dataset_triggered";

export interface RunRecord {
  id: string;
  pipeline: string;
  /** "YYYY-MM-DD" (UTC) of the logical date, for humans and day-partitioned outputs. */
  logicalDate: string;
  /** The logical date as an ISO-8601 instant (hourly runs differ within a day). */
  logicalTime: string;
  /** ISO-8601 instants. */
  intervalStart: string;
  intervalEnd: string;
  state: RunState;
  runType: RunType;
  queuedAt: string;
  /** When it was created, then when an executor first started it. */
  startedAt: string;
  endedAt?: string;
  params: Record<string, string>;
  summary?: unknown;
  error?: string;
  /** The executor that owns the run while it runs, and its last heartbeat. */
  owner?: string;
  heartbeatAt?: string;
  /**
   * A run recorded for a logical time that already had a run, before a pipeline could have
   * only one run per logical time (migration 4 kept it as history; the newest run of that
   * time holds the key). Backfills and the scheduler ignore it.
   */
  superseded?: boolean;
}

/** A run to create. `logicalTime`, `runType` and `queuedAt` default from the other fields. */
export type NewRun = Omit<
  RunRecord,
  "logicalTime" | "runType" | "queuedAt" | "summary" | "error" | "superseded"
> &
  Partial<Pick<RunRecord, "logicalTime" | "runType" | "queuedAt" | "summary">>;

/** What `claimWithinLimit` did: claimed the run, or not because of the limit, or not because it is not claimable. */
export type RunClaim = "claimed" | "limit" | "taken";

export interface ListRunsOptions {
  pipeline?: string;
  states?: readonly RunState[];
  runTypes?: readonly RunType[];
  /**
   * Keyset pagination: only runs after this one in the list's order (start time, then id,
   * both descending), so a page costs the same however deep it is (no OFFSET).
   */
  before?: { startedAt: string; id: string };
  /** Default 100. */
  limit?: number;
}

export interface RunStore {
  /**
   * Creates a run and its task instances in one transaction. Refused (METADATA_FAILED)
   * when the id is taken or the pipeline already has a run for that logical time.
   */
  create(run: NewRun, tasks: readonly NewTaskInstance[]): Promise<void>;
  /**
   * Insert-or-get: creates the run and its task instances unless the pipeline already has
   * a run for that logical time, and returns the run that holds the time either way. One
   * transaction with `ON CONFLICT DO NOTHING`, so processes creating the same date at once
   * make exactly one run. A run created `running` with an owner is claimed by it already.
   */
  createOrGet(run: NewRun, tasks: readonly NewTaskInstance[]): Promise<{ run: RunRecord; created: boolean }>;
  get(id: string): Promise<RunRecord | undefined>;
  /** The run that holds a pipeline's logical time (an ISO instant), if any. */
  atLogicalTime(pipeline: string, logicalTime: string): Promise<RunRecord | undefined>;
  /** Newest first (by start time). */
  list(options?: ListRunsOptions): Promise<RunRecord[]>;
  count(options?: Omit<ListRunsOptions, "limit">): Promise<number>;
  /** The run with the latest logical time strictly before `logicalTime` (for dependsOnPast). */
  previous(pipeline: string, logicalTime: string): Promise<RunRecord | undefined>;
  /** The run with the latest logical time, optionally of some run types only (for the scheduler). */
  latest(pipeline: string, runTypes?: readonly RunType[]): Promise<RunRecord | undefined>;
  /**
   * Makes `owner` the run's executor and sets it running. Succeeds for a queued run, or a
   * running one whose owner is gone (none, this owner, or a heartbeat before
   * `staleBefore`); false otherwise (another executor is alive, or the run is finished).
   */
  claim(id: string, claim: { owner: string; at: string; staleBefore: string }): Promise<boolean>;
  /**
   * `claim` within the pipeline's limit of running runs (`maxActiveRuns`), atomic across
   * processes: one transaction holds the pipeline's lock (a PostgreSQL advisory lock; a
   * SQLite write transaction is serial), counts the pipeline's other running runs and
   * claims a queued run only while they are fewer than `maxActive`. A running run whose
   * owner is gone is already counted, so taking it over ignores the limit. `"limit"`: the
   * pipeline is full; `"taken"`: another executor holds the run, or it is finished or gone.
   */
  claimWithinLimit(
    id: string,
    claim: { owner: string; at: string; staleBefore: string; maxActive: number },
  ): Promise<RunClaim>;
  /**
   * Creates the pipeline's next run of its run type (a scheduler's scheduled or
   * dataset-triggered run) with its task instances, only when the latest run of that type
   * still has the logical time `previous` (undefined: there is none) and the run's logical
   * time is free. Under the pipeline's lock, so of schedulers that looked at the same
   * latest run and picked their next date from it, exactly one creates a run; the others
   * get false and look again (their clocks, start times or trigger events may differ, so
   * their dates may differ too).
   */
  createNext(run: NewRun, tasks: readonly NewTaskInstance[], previous: string | undefined): Promise<boolean>;
  /** Heartbeats the runs and running attempts `owner` executes. */
  heartbeat(owner: string, at: string): Promise<void>;
  /**
   * Gives the run up without finishing it (shutdown, interruption): a running run is
   * queued again with no owner, so any executor may claim it at once and every reader
   * sees it waiting, not running.
   */
  release(id: string, owner: string): Promise<void>;
  finish(
    id: string,
    end: { state: "succeeded" | "failed"; endedAt: string; summary?: unknown; error?: string },
  ): Promise<void>;
  /** Running runs whose executor stopped heartbeating before `staleBefore` (or has none). */
  orphaned(staleBefore: string): Promise<RunRecord[]>;
}

export class SqlRunStore implements RunStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(run: NewRun, tasks: readonly NewTaskInstance[]): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        await insertRun(tx, withDefaults(run), false);
        await insertTaskInstances(tx, run.id, tasks);
      });
    } catch (cause) {
      throw new WeirError(
        "METADATA_FAILED",
        `cannot record run ${run.id} of pipeline "${run.pipeline}": ${messageOf(cause)}`,
        {
          cause,
          details: { runId: run.id, pipeline: run.pipeline },
        },
      );
    }
  }

  async createOrGet(
    run: NewRun,
    tasks: readonly NewTaskInstance[],
  ): Promise<{ run: RunRecord; created: boolean }> {
    const row = withDefaults(run);
    const key = runKeyOf(row.pipeline, row.logicalTime);
    const found = await this.db.transaction(async (tx) => {
      const created = await insertRun(tx, row, true);
      if (created) await insertTaskInstances(tx, run.id, tasks);
      // Another process may have inserted the key a moment ago: PostgreSQL waited for its
      // commit before skipping the insert, so this read (a new snapshot) sees its row.
      const holder = await tx.get<RunRow>("SELECT * FROM runs WHERE run_key = ?", [key]);
      return { holder, created };
    });
    if (!found.holder) {
      throw new WeirError(
        "METADATA_FAILED",
        `cannot record run ${run.id} of pipeline "${run.pipeline}": the run id is taken by a run of another logical time`,
        { details: { runId: run.id, pipeline: run.pipeline } },
      );
    }
    return { run: toRun(found.holder), created: found.created };
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const row = await this.db.get<RunRow>("SELECT * FROM runs WHERE id = ?", [id]);
    return row ? toRun(row) : undefined;
  }

  async atLogicalTime(pipeline: string, logicalTime: string): Promise<RunRecord | undefined> {
    const row = await this.db.get<RunRow>("SELECT * FROM runs WHERE run_key = ?", [
      runKeyOf(pipeline, logicalTime),
    ]);
    return row ? toRun(row) : undefined;
  }

  async list(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    const { where, params } = filter(options);
    const rows = await this.db.all<RunRow>(
      `SELECT * FROM runs${where} ORDER BY started_at DESC, id DESC LIMIT ?`,
      [...params, options.limit ?? 100],
    );
    return rows.map(toRun);
  }

  async count(options: Omit<ListRunsOptions, "limit"> = {}): Promise<number> {
    const { where, params } = filter(options);
    const row = await this.db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM runs${where}`, params);
    return toNumber(row?.n ?? 0);
  }

  async previous(pipeline: string, logicalTime: string): Promise<RunRecord | undefined> {
    const row = await this.db.get<RunRow>(
      `SELECT * FROM runs WHERE pipeline = ? AND logical_time < ?
       ORDER BY logical_time DESC, queued_at DESC, id DESC LIMIT 1`,
      [pipeline, logicalTime],
    );
    return row ? toRun(row) : undefined;
  }

  async latest(pipeline: string, runTypes?: readonly RunType[]): Promise<RunRecord | undefined> {
    const { where, params } = filter({ pipeline, ...(runTypes ? { runTypes } : {}) });
    const row = await this.db.get<RunRow>(
      `SELECT * FROM runs${where} ORDER BY logical_time DESC, queued_at DESC, id DESC LIMIT 1`,
      params,
    );
    return row ? toRun(row) : undefined;
  }

  async claim(id: string, c: { owner: string; at: string; staleBefore: string }): Promise<boolean> {
    return claimRun(this.db, id, c);
  }

  async claimWithinLimit(
    id: string,
    c: { owner: string; at: string; staleBefore: string; maxActive: number },
  ): Promise<RunClaim> {
    return this.db.transaction(async (tx) => {
      const found = await tx.get<{ pipeline: string }>("SELECT pipeline FROM runs WHERE id = ?", [id]);
      if (!found) return "taken";
      await lockPipelineRuns(tx, this.db, found.pipeline);
      // Read after the lock: on PostgreSQL (READ COMMITTED) each statement sees what the
      // previous holder of the lock committed, so the count includes its claim.
      const row = await tx.get<{ state: string }>("SELECT state FROM runs WHERE id = ?", [id]);
      if (row?.state === "queued") {
        const active = await tx.get<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM runs WHERE pipeline = ? AND state = 'running' AND id <> ?",
          [found.pipeline, id],
        );
        if (toNumber(active?.n ?? 0) >= c.maxActive) return "limit";
      }
      return (await claimRun(tx, id, c)) ? "claimed" : "taken";
    });
  }

  async createNext(
    run: NewRun,
    tasks: readonly NewTaskInstance[],
    previous: string | undefined,
  ): Promise<boolean> {
    const row = withDefaults(run);
    return this.db.transaction(async (tx) => {
      await lockPipelineRuns(tx, this.db, row.pipeline);
      const latest = await tx.get<{ logical_time: string | null }>(
        `SELECT logical_time FROM runs WHERE pipeline = ? AND run_type = ?
         ORDER BY logical_time DESC, queued_at DESC, id DESC LIMIT 1`,
        [row.pipeline, row.runType],
      );
      if ((latest?.logical_time ?? undefined) !== previous) return false;
      const created = await insertRun(tx, row, true);
      if (created) await insertTaskInstances(tx, row.id, tasks);
      return created;
    });
  }

  async heartbeat(owner: string, at: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("UPDATE runs SET heartbeat_at = ? WHERE owner = ? AND state = 'running'", [at, owner]);
      await tx.run("UPDATE task_attempts SET heartbeat_at = ? WHERE state = 'running' AND owner = ?", [
        at,
        owner,
      ]);
    });
  }

  async release(id: string, owner: string): Promise<void> {
    await this.db.run(
      "UPDATE runs SET owner = NULL, state = CASE WHEN state = 'running' THEN 'queued' ELSE state END WHERE id = ? AND owner = ?",
      [id, owner],
    );
  }

  async finish(
    id: string,
    end: { state: "succeeded" | "failed"; endedAt: string; summary?: unknown; error?: string },
  ): Promise<void> {
    await this.db.run(
      "UPDATE runs SET state = ?, ended_at = ?, summary = ?, error = ?, owner = NULL WHERE id = ?",
      [end.state, end.endedAt, toJson(end.summary), end.error, id],
    );
  }

  async orphaned(staleBefore: string): Promise<RunRecord[]> {
    const rows = await this.db.all<RunRow>(
      `SELECT * FROM runs WHERE state = 'running' AND (owner IS NULL OR heartbeat_at IS NULL OR heartbeat_at < ?)
       ORDER BY logical_time, id`,
      [staleBefore],
    );
    return rows.map(toRun);
  }
}

/** The conditional UPDATE behind `claim`: see `RunStore.claim`. */
async function claimRun(
  db: SqlConnection,
  id: string,
  c: { owner: string; at: string; staleBefore: string },
): Promise<boolean> {
  const changed = await db.run(
    `UPDATE runs SET started_at = CASE WHEN state = 'queued' THEN ? ELSE started_at END,
       state = 'running', owner = ?, heartbeat_at = ?, ended_at = NULL
     WHERE id = ? AND (state = 'queued' OR (state = 'running'
       AND (owner IS NULL OR owner = ? OR heartbeat_at IS NULL OR heartbeat_at < ?)))`,
    [c.at, c.owner, c.at, id, c.owner, c.staleBefore],
  );
  return changed === 1;
}

/**
 * Holds the pipeline's run lock until the transaction ends: whoever counts or orders a
 * pipeline's runs before writing one (`claimWithinLimit`, `createNext`) takes it first.
 */
async function lockPipelineRuns(tx: SqlConnection, db: SqlDatabase, pipeline: string): Promise<void> {
  if (db.dialect.keyLock) await tx.run(db.dialect.keyLock, [`weir.run.${pipeline}`]);
}

function filter(options: Omit<ListRunsOptions, "limit">): { where: string; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  if (options.before !== undefined) {
    // A row-value comparison both databases answer from the (started_at, id) index.
    clauses.push("(started_at, id) < (?, ?)");
    params.push(options.before.startedAt, options.before.id);
  }
  if (options.pipeline !== undefined) {
    clauses.push("pipeline = ?");
    params.push(options.pipeline);
  }
  if (options.states?.length) {
    clauses.push(`state IN (${placeholders(options.states.length)})`);
    params.push(...options.states);
  }
  if (options.runTypes?.length) {
    clauses.push(`run_type IN (${placeholders(options.runTypes.length)})`);
    params.push(...options.runTypes);
  }
  return { where: clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "", params };
}

/** The row to insert: `logicalTime`, `runType` and `queuedAt` defaulted from the other fields. */
function withDefaults(run: NewRun): RunInsert {
  return {
    ...run,
    logicalTime: run.logicalTime ?? `${run.logicalDate}T00:00:00.000Z`,
    runType: run.runType ?? "manual",
    queuedAt: run.queuedAt ?? run.startedAt,
  };
}
