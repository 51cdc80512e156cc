import { SqlDatasetStore } from "./dataset-store.js";
import type { CursorStore, MetadataStore } from "./metadata-store.js";
import { schemaVersionOf } from "./migrate.js";
import { SqlPipelineStore } from "./pipeline-store.js";
import { SqlPoolStore } from "./pool-store.js";
import type { QualityStore } from "./quality-store.js";
import type { ListRunsOptions, NewRun, RunRecord } from "./run-store.js";
import { SqlRunStore } from "./run-store.js";
import type { SqlDatabase } from "./sql-database.js";
import { SqlQualityStore } from "./sql-quality-store.js";
import { SqlStreamCheckpointStore } from "./stream-checkpoint-store.js";
import { SqlTaskStore } from "./task-store.js";

/**
 * The metadata store written once over `SqlDatabase`: `SqliteMetadataStore` and
 * `PostgresMetadataStore` only open their database and migrate it, then share every
 * repository here.
 */
export class SqlMetadataStore implements MetadataStore {
  readonly cursors: CursorStore;
  readonly quality: QualityStore;
  readonly pipelines: SqlPipelineStore;
  readonly runs: SqlRunStore;
  readonly tasks: SqlTaskStore;
  readonly pools: SqlPoolStore;
  readonly datasets: SqlDatasetStore;
  readonly streams: SqlStreamCheckpointStore;

  protected constructor(
    protected readonly sql: SqlDatabase,
    readonly kind: "sqlite" | "postgres",
    readonly location: string,
  ) {
    this.quality = new SqlQualityStore(sql);
    this.pipelines = new SqlPipelineStore(sql);
    this.runs = new SqlRunStore(sql);
    this.tasks = new SqlTaskStore(sql);
    this.pools = new SqlPoolStore(sql);
    this.datasets = new SqlDatasetStore(sql);
    this.streams = new SqlStreamCheckpointStore(sql);
    this.cursors = {
      get: async (pipeline, sourceKey) =>
        (
          await sql.get<{ value: string }>(
            "SELECT value FROM cursors WHERE pipeline = ? AND source_key = ?",
            [pipeline, sourceKey],
          )
        )?.value,
      commit: async (pipeline, sourceKey, value) => {
        await sql.run(
          `INSERT INTO cursors (pipeline, source_key, value, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (pipeline, source_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          [pipeline, sourceKey, value, new Date().toISOString()],
        );
      },
    };
  }

  /** The database itself, for repositories that live outside this folder (lineage, governance). */
  get database(): SqlDatabase {
    return this.sql;
  }

  schemaVersion(): Promise<number> {
    return schemaVersionOf(this.sql);
  }

  startRun(run: NewRun): Promise<void> {
    return this.runs.create(run, []);
  }

  finishRun(
    id: string,
    end: { state: "succeeded" | "failed"; endedAt: string; summary?: unknown },
  ): Promise<void> {
    return this.runs.finish(id, end);
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.runs.get(id);
  }

  listRuns(options?: ListRunsOptions): Promise<RunRecord[]> {
    return this.runs.list(options);
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
