import { fromJson, type SqlDatabase, toNumber } from "./sql-database.js";

/** What the store knows about a pipeline: what its file last declared, and whether it is paused. */
export interface PipelineRecord {
  id: string;
  paused: boolean;
  /** The file it was loaded from, when known. */
  file?: string;
  /** The schedule expression as written ("0 2 * * *", "@daily"), if any. */
  schedule?: string;
  timezone?: string;
  description?: string;
  owner?: string;
  tags: string[];
  updatedAt: string;
}

export interface PipelineStore {
  /** Records what a pipeline declares; keeps its paused flag (a new pipeline starts unpaused). */
  upsert(pipeline: Omit<PipelineRecord, "paused">): Promise<void>;
  get(id: string): Promise<PipelineRecord | undefined>;
  /** Sorted by id. */
  list(): Promise<PipelineRecord[]>;
  /** Pauses or unpauses; records the pipeline if the store has not seen it yet. */
  setPaused(id: string, paused: boolean, at: string): Promise<void>;
}

interface PipelineRow {
  id: string;
  paused: number | string;
  file: string | null;
  schedule: string | null;
  timezone: string | null;
  description: string | null;
  owner: string | null;
  tags: string;
  updated_at: string;
}

export class SqlPipelineStore implements PipelineStore {
  constructor(private readonly db: SqlDatabase) {}

  async upsert(p: Omit<PipelineRecord, "paused">): Promise<void> {
    await this.db.run(
      `INSERT INTO pipelines (id, paused, file, schedule, timezone, description, owner, tags, updated_at)
       VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET file = excluded.file, schedule = excluded.schedule,
         timezone = excluded.timezone, description = excluded.description, owner = excluded.owner,
         tags = excluded.tags, updated_at = excluded.updated_at`,
      [p.id, p.file, p.schedule, p.timezone, p.description, p.owner, JSON.stringify(p.tags), p.updatedAt],
    );
  }

  async get(id: string): Promise<PipelineRecord | undefined> {
    const row = await this.db.get<PipelineRow>("SELECT * FROM pipelines WHERE id = ?", [id]);
    return row ? toPipeline(row) : undefined;
  }

  async list(): Promise<PipelineRecord[]> {
    return (await this.db.all<PipelineRow>("SELECT * FROM pipelines ORDER BY id")).map(toPipeline);
  }

  async setPaused(id: string, paused: boolean, at: string): Promise<void> {
    await this.db.run(
      `INSERT INTO pipelines (id, paused, tags, updated_at) VALUES (?, ?, '[]', ?)
       ON CONFLICT (id) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at`,
      [id, paused ? 1 : 0, at],
    );
  }
}

function toPipeline(row: PipelineRow): PipelineRecord {
  return {
    id: row.id,
    paused: toNumber(row.paused) === 1,
    ...(row.file === null ? {} : { file: row.file }),
    ...(row.schedule === null ? {} : { schedule: row.schedule }),
    ...(row.timezone === null ? {} : { timezone: row.timezone }),
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.owner === null ? {} : { owner: row.owner }),
    tags: fromJson<string[]>(row.tags) ?? [],
    updatedAt: row.updated_at,
  };
}
