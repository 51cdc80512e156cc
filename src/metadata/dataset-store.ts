import { placeholders, type SqlConnection, type SqlDatabase, type SqlValue } from "./sql-database.js";

/** "This dataset was updated": written when a task that declares it in `datasets.writes` succeeds. */
export interface DatasetEventRecord {
  /** Sortable unique id (time prefix). */
  id: string;
  dataset: string;
  at: string;
  pipeline?: string;
  runId?: string;
  taskId?: string;
  /** The data interval (partition) the write covered, if the run had one. */
  rangeStart?: string;
  rangeEnd?: string;
}

/** A half-open span [start, end) of a dataset's time partitions that has been written. */
export interface MaterialisedRange {
  start: string;
  end: string;
}

export interface DatasetStore {
  record(events: readonly DatasetEventRecord[]): Promise<void>;
  /** Events oldest first, optionally of some datasets only and after an instant. */
  events(filter?: {
    datasets?: readonly string[];
    after?: string;
    limit?: number;
  }): Promise<DatasetEventRecord[]>;
  /**
   * Marks [start, end) of a dataset as materialised, merging it with the ranges it
   * overlaps or touches, so 100k daily partitions written in order are one row.
   */
  addMaterialised(dataset: string, start: string, end: string): Promise<void>;
  /** The merged ranges, in order. */
  materialised(dataset: string): Promise<MaterialisedRange[]>;
}

interface EventRow {
  id: string;
  dataset: string;
  at: string;
  pipeline: string | null;
  run_id: string | null;
  task_id: string | null;
  range_start: string | null;
  range_end: string | null;
}

export async function insertDatasetEvents(
  tx: SqlConnection,
  events: readonly DatasetEventRecord[],
): Promise<void> {
  for (const e of events) {
    await tx.run(
      `INSERT INTO dataset_events (id, dataset, at, pipeline, run_id, task_id, range_start, range_end)
       VALUES (${placeholders(8)})`,
      [e.id, e.dataset, e.at, e.pipeline, e.runId, e.taskId, e.rangeStart, e.rangeEnd],
    );
  }
}

/** Merges [start, end) into the dataset's ranges: one read of the neighbours, one delete, one insert. */
export async function addMaterialisedRange(
  tx: SqlConnection,
  dataset: string,
  start: string,
  end: string,
): Promise<void> {
  if (!(start < end)) return;
  const touching = await tx.all<{ range_start: string; range_end: string }>(
    "SELECT range_start, range_end FROM materialised_ranges WHERE dataset = ? AND range_start <= ? AND range_end >= ?",
    [dataset, end, start],
  );
  let from = start;
  let to = end;
  for (const r of touching) {
    if (r.range_start < from) from = r.range_start;
    if (r.range_end > to) to = r.range_end;
  }
  if (touching.length > 0) {
    await tx.run(
      "DELETE FROM materialised_ranges WHERE dataset = ? AND range_start <= ? AND range_end >= ?",
      [dataset, end, start],
    );
  }
  await tx.run("INSERT INTO materialised_ranges (dataset, range_start, range_end) VALUES (?, ?, ?)", [
    dataset,
    from,
    to,
  ]);
}

export class SqlDatasetStore implements DatasetStore {
  constructor(private readonly db: SqlDatabase) {}

  async record(events: readonly DatasetEventRecord[]): Promise<void> {
    if (events.length > 0) await this.db.transaction((tx) => insertDatasetEvents(tx, events));
  }

  async events(
    filter: { datasets?: readonly string[]; after?: string; limit?: number } = {},
  ): Promise<DatasetEventRecord[]> {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    if (filter.datasets) {
      if (filter.datasets.length === 0) return [];
      clauses.push(`dataset IN (${placeholders(filter.datasets.length)})`);
      params.push(...filter.datasets);
    }
    if (filter.after !== undefined) {
      clauses.push("at > ?");
      params.push(filter.after);
    }
    const where = clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "";
    const rows = await this.db.all<EventRow>(`SELECT * FROM dataset_events${where} ORDER BY at, id LIMIT ?`, [
      ...params,
      filter.limit ?? 10_000,
    ]);
    return rows.map((r) => ({
      id: r.id,
      dataset: r.dataset,
      at: r.at,
      ...(r.pipeline === null ? {} : { pipeline: r.pipeline }),
      ...(r.run_id === null ? {} : { runId: r.run_id }),
      ...(r.task_id === null ? {} : { taskId: r.task_id }),
      ...(r.range_start === null ? {} : { rangeStart: r.range_start }),
      ...(r.range_end === null ? {} : { rangeEnd: r.range_end }),
    }));
  }

  async addMaterialised(dataset: string, start: string, end: string): Promise<void> {
    await this.db.transaction((tx) => addMaterialisedRange(tx, dataset, start, end));
  }

  async materialised(dataset: string): Promise<MaterialisedRange[]> {
    const rows = await this.db.all<{ range_start: string; range_end: string }>(
      "SELECT range_start, range_end FROM materialised_ranges WHERE dataset = ? ORDER BY range_start",
      [dataset],
    );
    return rows.map((r) => ({ start: r.range_start, end: r.range_end }));
  }
}
