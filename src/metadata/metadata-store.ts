/**
 * The metadata store records what runs did: runs, task attempts and incremental cursors.
 * Every method is async so a PostgreSQL implementation fits the same interface; the
 * embedded default is `SqliteMetadataStore`.
 */

export type RunState = "running" | "succeeded" | "failed";
export type TaskState = "running" | "succeeded" | "failed" | "skipped";

export interface RunRecord {
  id: string;
  pipeline: string;
  /** "YYYY-MM-DD". */
  logicalDate: string;
  /** ISO-8601 instants. */
  intervalStart: string;
  intervalEnd: string;
  state: RunState;
  startedAt: string;
  endedAt?: string;
  params: Record<string, string>;
  summary?: unknown;
}

export interface RowCounts {
  in?: number;
  out?: number;
  rejected?: number;
}

export interface TaskRunRecord {
  runId: string;
  taskId: string;
  attempt: number;
  state: TaskState;
  startedAt: string;
  endedAt?: string;
  error?: string;
  rows: RowCounts;
}

/**
 * Incremental cursors (high-water marks), one per pipeline and source.
 *
 * Commit-then-advance: a pipeline commits a cursor only AFTER the load that covers it has
 * committed, and loads are idempotent (overwrite-partition, upsert by key). A crash
 * between the load and the cursor commit therefore leaves the old cursor, the re-run
 * reads the same rows again and the idempotent load writes the same tables: nothing is
 * lost (the cursor never ran ahead of the data) and nothing is duplicated.
 */
export interface CursorStore {
  get(pipeline: string, sourceKey: string): Promise<string | undefined>;
  commit(pipeline: string, sourceKey: string, value: string): Promise<void>;
}

export interface ListRunsOptions {
  pipeline?: string;
  limit?: number;
}

export interface MetadataStore {
  readonly cursors: CursorStore;
  /** The schema version the store is at after opening (its migrations applied). */
  schemaVersion(): Promise<number>;
  startRun(run: RunRecord): Promise<void>;
  finishRun(id: string, end: { state: RunState; endedAt: string; summary?: unknown }): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(options?: ListRunsOptions): Promise<RunRecord[]>;
  startTaskRun(task: TaskRunRecord): Promise<void>;
  finishTaskRun(
    key: { runId: string; taskId: string; attempt: number },
    end: { state: TaskState; endedAt: string; error?: string; rows?: RowCounts },
  ): Promise<void>;
  listTaskRuns(runId: string): Promise<TaskRunRecord[]>;
  close(): Promise<void>;
}
