import { WeirError } from "../core/errors.js";
import {
  fromJson,
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
}

/** A run to create. `logicalTime`, `runType` and `queuedAt` default from the other fields. */
export type NewRun = Omit<RunRecord, "logicalTime" | "runType" | "queuedAt" | "summary" | "error"> &
  Partial<Pick<RunRecord, "logicalTime" | "runType" | "queuedAt" | "summary">>;

export interface ListRunsOptions {
  pipeline?: string;
  states?: readonly RunState[];
  runTypes?: readonly RunType[];
  /** Default 100. */
  limit?: number;
}

export interface RunStore {
  /** Creates a run and its task instances in one transaction. */
  create(run: NewRun, tasks: readonly NewTaskInstance[]): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
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
  /** Heartbeats the runs and running attempts `owner` executes. */
  heartbeat(owner: string, at: string): Promise<void>;
  /** Gives the run up without finishing it (shutdown): another executor may claim it at once. */
  release(id: string, owner: string): Promise<void>;
  finish(
    id: string,
    end: { state: "succeeded" | "failed"; endedAt: string; summary?: unknown; error?: string },
  ): Promise<void>;
  /** Running runs whose executor stopped heartbeating before `staleBefore` (or has none). */
  orphaned(staleBefore: string): Promise<RunRecord[]>;
}

interface RunRow {
  id: string;
  pipeline: string;
  logical_date: string;
  logical_time: string | null;
  interval_start: string;
  interval_end: string;
  state: string;
  run_type: string;
  queued_at: string | null;
  started_at: string;
  ended_at: string | null;
  params: string;
  summary: string | null;
  error: string | null;
  owner: string | null;
  heartbeat_at: string | null;
}

export class SqlRunStore implements RunStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(run: NewRun, tasks: readonly NewTaskInstance[]): Promise<void> {
    const insert = async (tx: SqlConnection) => {
      await tx.run(
        `INSERT INTO runs (id, pipeline, logical_date, logical_time, interval_start, interval_end, state, run_type,
           queued_at, started_at, ended_at, params, summary, owner, heartbeat_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          run.id,
          run.pipeline,
          run.logicalDate,
          run.logicalTime ?? `${run.logicalDate}T00:00:00.000Z`,
          run.intervalStart,
          run.intervalEnd,
          run.state,
          run.runType ?? "manual",
          run.queuedAt ?? run.startedAt,
          run.startedAt,
          run.endedAt,
          JSON.stringify(run.params),
          toJson(run.summary),
          run.owner,
          run.heartbeatAt,
        ],
      );
      await insertTaskInstances(tx, run.id, tasks);
    };
    try {
      await this.db.transaction(insert);
    } catch (cause) {
      throw new WeirError(
        "METADATA_FAILED",
        `cannot record run ${run.id} of pipeline "${run.pipeline}": ${String(cause)}`,
        {
          cause,
          details: { runId: run.id, pipeline: run.pipeline },
        },
      );
    }
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const row = await this.db.get<RunRow>("SELECT * FROM runs WHERE id = ?", [id]);
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
    const changed = await this.db.run(
      `UPDATE runs SET started_at = CASE WHEN state = 'queued' THEN ? ELSE started_at END,
         state = 'running', owner = ?, heartbeat_at = ?, ended_at = NULL
       WHERE id = ? AND (state = 'queued' OR (state = 'running'
         AND (owner IS NULL OR owner = ? OR heartbeat_at IS NULL OR heartbeat_at < ?)))`,
      [c.at, c.owner, c.at, id, c.owner, c.staleBefore],
    );
    return changed === 1;
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
    await this.db.run("UPDATE runs SET owner = NULL WHERE id = ? AND owner = ?", [id, owner]);
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

function filter(options: Omit<ListRunsOptions, "limit">): { where: string; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
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

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    pipeline: row.pipeline,
    logicalDate: row.logical_date,
    logicalTime: row.logical_time ?? `${row.logical_date}T00:00:00.000Z`,
    intervalStart: row.interval_start,
    intervalEnd: row.interval_end,
    state: row.state as RunState,
    runType: row.run_type as RunType,
    queuedAt: row.queued_at ?? row.started_at,
    startedAt: row.started_at,
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    params: JSON.parse(row.params) as Record<string, string>,
    ...(row.summary === null ? {} : { summary: fromJson<unknown>(row.summary) }),
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(row.heartbeat_at === null ? {} : { heartbeatAt: row.heartbeat_at }),
  };
}
