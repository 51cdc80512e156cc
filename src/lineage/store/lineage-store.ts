import { ConfigError } from "../../core/errors.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { fromJson, type SqlDatabase, type SqlValue } from "../../metadata/sql-database.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import { datasetLabel } from "./dataset-label.js";
import { ALL_FIELDS, type DatasetKey, NO_DATASET } from "./event-rows.js";
import type {
  JobKey,
  LineageColumnEdge,
  LineageDataset,
  LineageEdge,
  LineageEventRecord,
} from "./lineage-records.js";
import { type RecordedEvent, recordEvent } from "./record-event.js";
import { type DatasetColumn, resolveDataset, resolveDatasetColumn } from "./resolve-dataset.js";

export interface LineageEventFilter {
  runId?: string;
  /** A job's name, or `namespace/name`. */
  job?: string;
  /** The newest this many (default 100), returned oldest first. */
  limit?: number;
}

interface EventRow {
  event_id: string;
  event_time: string;
  event_type: string;
  run_id: string;
  parent_run_id: string | null;
  job_namespace: string;
  job_name: string;
  payload: string;
}

interface DatasetRow {
  namespace: string;
  name: string;
  weir_name: string | null;
  schema_fields: string | null;
  updated_at: string;
}

interface EdgeRow {
  job_namespace: string;
  job_name: string;
  input_namespace: string;
  input_name: string;
  output_namespace: string;
  output_name: string;
  last_run_id: string;
  updated_at: string;
}

interface ColumnEdgeRow extends EdgeRow {
  output_field: string;
  input_field: string;
  type: string;
  subtype: string;
}

const EDGE_COLUMNS =
  "job_namespace, job_name, input_namespace, input_name, output_namespace, output_name, last_run_id, updated_at";
const COLUMN_EDGE_COLUMNS = `${EDGE_COLUMNS}, output_field, input_field, type, subtype`;

/**
 * The lineage tables of the metadata store (migration 6): OpenLineage RunEvents as they
 * were emitted, the datasets they name and the edges they imply, read back for
 * `weir lineage` and the graph queries (`upstream`, `impact`). Written once over
 * `SqlDatabase`, so SQLite and PostgreSQL share it.
 *
 * @example
 * const lineage = LineageStore.of(await openMetadataStore());
 * await lineage.record(event);
 * const dim = await lineage.resolveDataset("dim_customers");
 */
export class LineageStore {
  constructor(private readonly db: SqlDatabase) {}

  /** The lineage tables of an opened metadata store (SQLite or PostgreSQL). */
  static of(store: MetadataStore): LineageStore {
    const db = sqlDatabaseOf(store);
    if (!db)
      throw new ConfigError(`the ${store.kind} metadata store at ${store.location} holds no lineage tables`);
    return new LineageStore(db);
  }

  /** Records one RunEvent (an object or its JSON text); the same event twice changes nothing. */
  record(event: unknown): Promise<RecordedEvent> {
    return recordEvent(this.db, event);
  }

  /** Stored events, the newest `limit` (default 100), oldest first. */
  async events(filter: LineageEventFilter = {}): Promise<LineageEventRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.runId !== undefined) {
      where.push("run_id = ?");
      params.push(filter.runId);
    }
    if (filter.job !== undefined) {
      where.push("(job_name = ? OR job_namespace || '/' || job_name = ?)");
      params.push(filter.job, filter.job);
    }
    const rows = await this.db.all<EventRow>(
      `SELECT * FROM lineage_events ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY event_time DESC, event_id DESC LIMIT ?`,
      [...params, filter.limit ?? 100],
    );
    return rows.reverse().map(eventOf);
  }

  /** Every dataset any event named, by weir name (then namespace/name). */
  async datasets(): Promise<LineageDataset[]> {
    const rows = await this.db.all<DatasetRow>("SELECT * FROM lineage_datasets");
    return rows.map(datasetOf).sort((a, b) => datasetLabel(a).localeCompare(datasetLabel(b)));
  }

  /** The dataset that `text` names: `namespace/name`, weir's name or the OpenLineage name. */
  async resolveDataset(text: string): Promise<LineageDataset> {
    return resolveDataset(await this.datasets(), text);
  }

  /**
   * `<dataset>[.column]`: the longest prefix of `text` that names a dataset, and the rest
   * as the column (dataset names hold dots: `lake.raw.customers.email`).
   */
  async resolveDatasetColumn(text: string): Promise<DatasetColumn> {
    return resolveDatasetColumn(await this.datasets(), text, (d) => this.fieldsOf(d));
  }

  /** Edges whose output is `dataset`: the jobs that wrote it and what they read. */
  async producersOf(dataset: DatasetKey): Promise<LineageEdge[]> {
    const rows = await this.db.all<EdgeRow>(
      `SELECT ${EDGE_COLUMNS} FROM lineage_edges WHERE output_namespace = ? AND output_name = ?`,
      [dataset.namespace, dataset.name],
    );
    return rows.map(edgeOf);
  }

  /** Edges whose input is `dataset`: the jobs that read it and what they wrote. */
  async consumersOf(dataset: DatasetKey): Promise<LineageEdge[]> {
    const rows = await this.db.all<EdgeRow>(
      `SELECT ${EDGE_COLUMNS} FROM lineage_edges WHERE input_namespace = ? AND input_name = ?`,
      [dataset.namespace, dataset.name],
    );
    return rows.map(edgeOf);
  }

  /**
   * Column edges into `field` of `dataset`, with the dataset-level (`*`) ones that reach
   * every field; `field` `*` asks for the edges into any field.
   */
  async columnSourcesOf(dataset: DatasetKey, field: string): Promise<LineageColumnEdge[]> {
    const any = field === ALL_FIELDS;
    const rows = await this.db.all<ColumnEdgeRow>(
      `SELECT ${COLUMN_EDGE_COLUMNS} FROM lineage_column_edges
       WHERE output_namespace = ? AND output_name = ? ${any ? "" : "AND output_field IN (?, '*')"}`,
      any ? [dataset.namespace, dataset.name] : [dataset.namespace, dataset.name, field],
    );
    return rows.map(columnEdgeOf);
  }

  /** Column edges out of `field` of `dataset` (`*`: out of any of its fields). */
  async columnTargetsOf(dataset: DatasetKey, field: string): Promise<LineageColumnEdge[]> {
    const any = field === ALL_FIELDS;
    const rows = await this.db.all<ColumnEdgeRow>(
      `SELECT ${COLUMN_EDGE_COLUMNS} FROM lineage_column_edges
       WHERE input_namespace = ? AND input_name = ? ${any ? "" : "AND input_field = ?"}`,
      any ? [dataset.namespace, dataset.name] : [dataset.namespace, dataset.name, field],
    );
    return rows.map(columnEdgeOf);
  }

  /** The fields column lineage or the schema facet knows for `dataset`. */
  async fieldsOf(dataset: LineageDataset): Promise<string[]> {
    const rows = await this.db.all<{ field: string }>(
      `SELECT output_field AS field FROM lineage_column_edges WHERE output_namespace = ? AND output_name = ?
       UNION SELECT input_field AS field FROM lineage_column_edges WHERE input_namespace = ? AND input_name = ?`,
      [dataset.namespace, dataset.name, dataset.namespace, dataset.name],
    );
    const fields = new Set((dataset.schemaFields ?? []).map((f) => f.name));
    for (const r of rows) if (r.field !== ALL_FIELDS) fields.add(r.field);
    return [...fields];
  }

  /** Datasets no recorded edge names as an output: written by no job lineage knows of. */
  async unproducedDatasets(): Promise<LineageDataset[]> {
    const rows = await this.db.all<DatasetRow>(
      `SELECT * FROM lineage_datasets d WHERE NOT EXISTS (
         SELECT 1 FROM lineage_edges e WHERE e.output_namespace = d.namespace AND e.output_name = d.name)`,
    );
    return rows.map(datasetOf).sort((a, b) => datasetLabel(a).localeCompare(datasetLabel(b)));
  }
}

function eventOf(row: EventRow): LineageEventRecord {
  return {
    eventId: row.event_id,
    eventTime: row.event_time,
    eventType: row.event_type,
    runId: row.run_id,
    ...(row.parent_run_id !== null ? { parentRunId: row.parent_run_id } : {}),
    job: { namespace: row.job_namespace, name: row.job_name },
    event: JSON.parse(row.payload) as Record<string, unknown>,
  };
}

function datasetOf(row: DatasetRow): LineageDataset {
  const fields = fromJson<{ name: string; type?: string }[]>(row.schema_fields);
  return {
    namespace: row.namespace,
    name: row.name,
    ...(row.weir_name !== null ? { weirName: row.weir_name } : {}),
    ...(fields !== undefined ? { schemaFields: fields } : {}),
    updatedAt: row.updated_at,
  };
}

function keyOrNone(namespace: string, name: string): DatasetKey | undefined {
  return namespace === NO_DATASET.namespace && name === NO_DATASET.name ? undefined : { namespace, name };
}

function jobOf(row: EdgeRow): JobKey {
  return { namespace: row.job_namespace, name: row.job_name };
}

function edgeOf(row: EdgeRow): LineageEdge {
  const input = keyOrNone(row.input_namespace, row.input_name);
  const output = keyOrNone(row.output_namespace, row.output_name);
  return {
    job: jobOf(row),
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    lastRunId: row.last_run_id,
    updatedAt: row.updated_at,
  };
}

function columnEdgeOf(row: ColumnEdgeRow): LineageColumnEdge {
  return {
    job: jobOf(row),
    output: { namespace: row.output_namespace, name: row.output_name },
    outputField: row.output_field,
    input: { namespace: row.input_namespace, name: row.input_name },
    inputField: row.input_field,
    type: row.type,
    subtype: row.subtype,
    lastRunId: row.last_run_id,
    updatedAt: row.updated_at,
  };
}
