import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { WeirError } from "../core/errors.js";
import { weirPaths } from "../core/paths.js";
import type {
  CursorStore,
  ListRunsOptions,
  MetadataStore,
  RowCounts,
  RunRecord,
  RunState,
  TaskRunRecord,
  TaskState,
} from "./metadata-store.js";
import { MIGRATIONS, type Migration, pendingMigrations, SCHEMA_MIGRATIONS_DDL } from "./migrations.js";

export interface SqliteMetadataStoreOptions {
  /** Defaults to `weirPaths().metadata` (`.weir/weir.db`). Use ":memory:" for throwaway stores. */
  path?: string;
  /** For tests of the migration runner; defaults to `MIGRATIONS`. */
  migrations?: readonly Migration[];
}

interface RunRow {
  id: string;
  pipeline: string;
  logical_date: string;
  interval_start: string;
  interval_end: string;
  state: string;
  started_at: string;
  ended_at: string | null;
  params: string;
  summary: string | null;
}

interface TaskRunRow {
  run_id: string;
  task_id: string;
  attempt: number;
  state: string;
  started_at: string;
  ended_at: string | null;
  error: string | null;
  rows_in: number | null;
  rows_out: number | null;
  rows_rejected: number | null;
}

/**
 * The embedded metadata store: one SQLite file in WAL mode, so the CLI, a server and
 * tests can read while a run writes. Opening applies pending migrations in one
 * immediate transaction, so two processes opening a fresh file at once cannot both
 * migrate it.
 *
 * @example
 * const store = await SqliteMetadataStore.open();
 * await store.cursors.commit("customers", "crm.customers", "2024-01-15 23:59:58");
 * await store.close();
 */
export class SqliteMetadataStore implements MetadataStore {
  readonly cursors: CursorStore;

  private constructor(private readonly db: Database.Database) {
    this.cursors = {
      get: async (pipeline, sourceKey) => {
        const row = db
          .prepare("SELECT value FROM cursors WHERE pipeline = ? AND source_key = ?")
          .get(pipeline, sourceKey) as { value: string } | undefined;
        return row?.value;
      },
      commit: async (pipeline, sourceKey, value) => {
        db.prepare(
          `INSERT INTO cursors (pipeline, source_key, value, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (pipeline, source_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        ).run(pipeline, sourceKey, value, new Date().toISOString());
      },
    };
  }

  static async open(options: SqliteMetadataStoreOptions = {}): Promise<SqliteMetadataStore> {
    const path = options.path ?? weirPaths().metadata;
    let db: Database.Database;
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma("journal_mode = WAL");
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
    } catch (cause) {
      throw new WeirError("METADATA_FAILED", `cannot open the metadata store at ${path}: ${String(cause)}`, {
        cause,
        details: { path },
      });
    }
    try {
      migrate(db, options.migrations ?? MIGRATIONS);
    } catch (cause) {
      db.close();
      if (cause instanceof WeirError) throw cause;
      throw new WeirError(
        "METADATA_FAILED",
        `migrating the metadata store at ${path} failed: ${String(cause)}`,
        {
          cause,
          details: { path },
        },
      );
    }
    return new SqliteMetadataStore(db);
  }

  async schemaVersion(): Promise<number> {
    const row = this.db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as {
      v: number | null;
    };
    return row.v ?? 0;
  }

  async startRun(run: RunRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO runs (id, pipeline, logical_date, interval_start, interval_end, state, started_at, ended_at, params, summary)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.id,
        run.pipeline,
        run.logicalDate,
        run.intervalStart,
        run.intervalEnd,
        run.state,
        run.startedAt,
        run.endedAt ?? null,
        JSON.stringify(run.params),
        run.summary === undefined ? null : JSON.stringify(run.summary),
      );
  }

  async finishRun(id: string, end: { state: RunState; endedAt: string; summary?: unknown }): Promise<void> {
    this.db
      .prepare("UPDATE runs SET state = ?, ended_at = ?, summary = ? WHERE id = ?")
      .run(end.state, end.endedAt, end.summary === undefined ? null : JSON.stringify(end.summary), id);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    const limit = options.limit ?? 100;
    const rows = (
      options.pipeline === undefined
        ? this.db.prepare("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?").all(limit)
        : this.db
            .prepare("SELECT * FROM runs WHERE pipeline = ? ORDER BY started_at DESC, id DESC LIMIT ?")
            .all(options.pipeline, limit)
    ) as RunRow[];
    return rows.map(toRun);
  }

  async startTaskRun(task: TaskRunRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO task_runs (run_id, task_id, attempt, state, started_at, ended_at, error, rows_in, rows_out, rows_rejected)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        task.runId,
        task.taskId,
        task.attempt,
        task.state,
        task.startedAt,
        task.endedAt ?? null,
        task.error ?? null,
        task.rows.in ?? null,
        task.rows.out ?? null,
        task.rows.rejected ?? null,
      );
  }

  async finishTaskRun(
    key: { runId: string; taskId: string; attempt: number },
    end: { state: TaskState; endedAt: string; error?: string; rows?: RowCounts },
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE task_runs SET state = ?, ended_at = ?, error = ?, rows_in = ?, rows_out = ?, rows_rejected = ?
         WHERE run_id = ? AND task_id = ? AND attempt = ?`,
      )
      .run(
        end.state,
        end.endedAt,
        end.error ?? null,
        end.rows?.in ?? null,
        end.rows?.out ?? null,
        end.rows?.rejected ?? null,
        key.runId,
        key.taskId,
        key.attempt,
      );
  }

  async listTaskRuns(runId: string): Promise<TaskRunRecord[]> {
    const rows = this.db
      .prepare("SELECT * FROM task_runs WHERE run_id = ? ORDER BY started_at, task_id, attempt")
      .all(runId) as TaskRunRow[];
    return rows.map(toTaskRun);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  // IMMEDIATE takes the write lock before reading the applied versions, so a second
  // process waits (busy_timeout) and then sees the migrations as already applied.
  db.transaction(() => {
    db.exec(SCHEMA_MIGRATIONS_DDL);
    const applied = (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map(
      (r) => r.version,
    );
    const insert = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    for (const migration of pendingMigrations(applied, migrations)) {
      for (const statement of migration.statements) db.exec(statement);
      insert.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    pipeline: row.pipeline,
    logicalDate: row.logical_date,
    intervalStart: row.interval_start,
    intervalEnd: row.interval_end,
    state: row.state as RunState,
    startedAt: row.started_at,
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    params: JSON.parse(row.params) as Record<string, string>,
    ...(row.summary === null ? {} : { summary: JSON.parse(row.summary) as unknown }),
  };
}

function toTaskRun(row: TaskRunRow): TaskRunRecord {
  const rows: RowCounts = {};
  if (row.rows_in !== null) rows.in = row.rows_in;
  if (row.rows_out !== null) rows.out = row.rows_out;
  if (row.rows_rejected !== null) rows.rejected = row.rows_rejected;
  return {
    runId: row.run_id,
    taskId: row.task_id,
    attempt: row.attempt,
    state: row.state as TaskState,
    startedAt: row.started_at,
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    ...(row.error === null ? {} : { error: row.error }),
    rows,
  };
}
