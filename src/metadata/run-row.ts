import type { RunRecord, RunState, RunType } from "./run-store.js";
import { fromJson, type SqlConnection, toJson } from "./sql-database.js";

/**
 * A `runs` row as the databases return it, and the one statement that inserts one. Both
 * `SqlRunStore.create` and `createOrGet` insert through `insertRun`, so every row gets its
 * `run_key`: the key that allows one run per pipeline and logical time (migration 4).
 */
export interface RunRow {
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
  run_key?: string | null;
}

/** The run to insert, with the defaults `NewRun` leaves open already applied. */
export interface RunInsert {
  id: string;
  pipeline: string;
  logicalDate: string;
  logicalTime: string;
  intervalStart: string;
  intervalEnd: string;
  state: RunState;
  runType: RunType;
  queuedAt: string;
  startedAt: string;
  endedAt?: string;
  params: Record<string, string>;
  summary?: unknown;
  owner?: string;
  heartbeatAt?: string;
}

/**
 * The unique key of a run: its pipeline and logical time, like Airflow 2's unique
 * (dag_id, execution_date). Runs recorded twice for one date before the key existed keep
 * their history under `<key>|superseded:<id>` (see `RUN_KEY_MIGRATION`).
 */
export function runKeyOf(pipeline: string, logicalTime: string): string {
  return `${pipeline}|${logicalTime}`;
}

/**
 * Inserts the run. `ifAbsent` adds `ON CONFLICT DO NOTHING` (no conflict target: a taken
 * id or a taken key both leave the table alone), and the result says whether the row was
 * written; without it a conflict throws.
 */
export async function insertRun(tx: SqlConnection, run: RunInsert, ifAbsent: boolean): Promise<boolean> {
  const changed = await tx.run(
    `INSERT INTO runs (id, pipeline, logical_date, logical_time, interval_start, interval_end, state, run_type,
       queued_at, started_at, ended_at, params, summary, owner, heartbeat_at, run_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)${ifAbsent ? " ON CONFLICT DO NOTHING" : ""}`,
    [
      run.id,
      run.pipeline,
      run.logicalDate,
      run.logicalTime,
      run.intervalStart,
      run.intervalEnd,
      run.state,
      run.runType,
      run.queuedAt,
      run.startedAt,
      run.endedAt,
      JSON.stringify(run.params),
      toJson(run.summary),
      run.owner,
      run.heartbeatAt,
      runKeyOf(run.pipeline, run.logicalTime),
    ],
  );
  return changed === 1;
}

export function toRun(row: RunRow): RunRecord {
  const logicalTime = row.logical_time ?? `${row.logical_date}T00:00:00.000Z`;
  const superseded = typeof row.run_key === "string" && row.run_key !== runKeyOf(row.pipeline, logicalTime);
  return {
    id: row.id,
    pipeline: row.pipeline,
    logicalDate: row.logical_date,
    logicalTime,
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
    ...(superseded ? { superseded: true } : {}),
  };
}
