import { v5 as uuidv5 } from "uuid";
import { type SqlConnection, type SqlDatabase, toJson } from "../../metadata/sql-database.js";
import {
  type ColumnEdgeRow,
  columnEdgesOf,
  type DatasetRow,
  datasetRowsOf,
  edgesOf,
  runDatasets,
} from "./event-rows.js";
import type { JobKey } from "./lineage-records.js";
import { parseStoredEvent, type StoredEvent } from "./stored-event.js";

/** Names event ids: the same payload always gets the same id (see {@link recordEvent}). */
const EVENT_ID_NAMESPACE = "4f1c8a52-7a0e-5b8e-9d3c-6f2b1e0a9c47";

export interface RecordedEvent {
  eventId: string;
  /** False when the very same event was recorded before (nothing changed). */
  inserted: boolean;
}

/**
 * Records one RunEvent in ONE transaction: the event itself, its datasets, and — once the
 * run completed (or, for stream jobs, while a RUNNING event reports outputs) — the job's
 * dataset and column edges, derived from all of the run's events.
 *
 * The event id is a name-based UUID (v5) of the payload rather than a random one: OpenLineage
 * events carry no id of their own, and recording the same event twice (a transport retry, a
 * replayed file) must be harmless, also from two processes at once; `ON CONFLICT DO NOTHING`
 * on the primary key makes it so.
 */
export async function recordEvent(db: SqlDatabase, value: unknown): Promise<RecordedEvent> {
  const event = parseStoredEvent(value);
  const payload = JSON.stringify(typeof value === "string" ? JSON.parse(value) : value);
  const eventId = uuidv5(payload, EVENT_ID_NAMESPACE);
  const at = new Date(event.eventTime).toISOString();
  const job: JobKey = { namespace: event.job.namespace, name: event.job.name };
  return db.transaction(async (tx) => {
    const inserted = await tx.run(
      `INSERT INTO lineage_events (event_id, event_time, event_type, run_id, parent_run_id, job_namespace, job_name, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
      [
        eventId,
        at,
        event.eventType ?? "OTHER",
        event.run.runId,
        event.run.facets?.parent?.run.runId,
        job.namespace,
        job.name,
        payload,
      ],
    );
    for (const row of datasetRowsOf(event)) await upsertDataset(tx, row, at);
    if (await definesEdges(tx, event, job)) {
      const runEvents = await eventsOfRun(tx, event.run.runId, job);
      const { inputs, outputs } = runDatasets(runEvents);
      for (const edge of edgesOf(inputs, outputs)) {
        await tx.run(
          `INSERT INTO lineage_edges (job_namespace, job_name, input_namespace, input_name, output_namespace,
             output_name, last_run_id, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (job_namespace, job_name, input_namespace, input_name, output_namespace, output_name)
           DO UPDATE SET last_run_id = excluded.last_run_id, updated_at = excluded.updated_at
           WHERE excluded.updated_at >= lineage_edges.updated_at`,
          [
            job.namespace,
            job.name,
            edge.input.namespace,
            edge.input.name,
            edge.output.namespace,
            edge.output.name,
            event.run.runId,
            at,
          ],
        );
      }
      for (const output of outputs) {
        for (const row of columnEdgesOf(output)) await upsertColumnEdge(tx, job, row, event.run.runId, at);
      }
    }
    return { eventId, inserted: inserted > 0 };
  });
}

/**
 * A run's edges are known once it completed; a stream job never completes, so its RUNNING
 * events that report outputs count too. A COMPLETE recorded before a late START (events
 * arrive out of order) still lets the START's datasets in.
 */
async function definesEdges(tx: SqlConnection, event: StoredEvent, job: JobKey): Promise<boolean> {
  if (event.eventType === "COMPLETE") return true;
  if (event.eventType === "RUNNING" && (event.outputs?.length ?? 0) > 0) return true;
  const completed = await tx.get(
    `SELECT 1 AS done FROM lineage_events
     WHERE run_id = ? AND job_namespace = ? AND job_name = ? AND event_type = 'COMPLETE'`,
    [event.run.runId, job.namespace, job.name],
  );
  return completed !== undefined;
}

async function eventsOfRun(tx: SqlConnection, runId: string, job: JobKey): Promise<StoredEvent[]> {
  const rows = await tx.all<{ payload: string }>(
    "SELECT payload FROM lineage_events WHERE run_id = ? AND job_namespace = ? AND job_name = ?",
    [runId, job.namespace, job.name],
  );
  return rows.map((r) => parseStoredEvent(r.payload));
}

/**
 * A dataset's weir name and schema come from the latest event that carries them: an event
 * recorded late (older than what is stored) fills in what is missing but replaces nothing.
 */
async function upsertDataset(tx: SqlConnection, row: DatasetRow, at: string): Promise<void> {
  await tx.run(
    `INSERT INTO lineage_datasets (namespace, name, weir_name, schema_fields, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (namespace, name) DO UPDATE SET
       weir_name = CASE WHEN excluded.weir_name IS NOT NULL
           AND (lineage_datasets.weir_name IS NULL OR excluded.updated_at >= lineage_datasets.updated_at)
         THEN excluded.weir_name ELSE lineage_datasets.weir_name END,
       schema_fields = CASE WHEN excluded.schema_fields IS NOT NULL
           AND (lineage_datasets.schema_fields IS NULL OR excluded.updated_at >= lineage_datasets.updated_at)
         THEN excluded.schema_fields ELSE lineage_datasets.schema_fields END,
       updated_at = CASE WHEN excluded.updated_at > lineage_datasets.updated_at
         THEN excluded.updated_at ELSE lineage_datasets.updated_at END`,
    [row.namespace, row.name, row.weirName, toJson(row.schemaFields), at],
  );
}

async function upsertColumnEdge(
  tx: SqlConnection,
  job: JobKey,
  row: ColumnEdgeRow,
  runId: string,
  at: string,
): Promise<void> {
  await tx.run(
    `INSERT INTO lineage_column_edges (job_namespace, job_name, output_namespace, output_name, output_field,
       input_namespace, input_name, input_field, type, subtype, last_run_id, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (job_namespace, job_name, output_namespace, output_name, output_field,
                  input_namespace, input_name, input_field, type, subtype)
     DO UPDATE SET last_run_id = excluded.last_run_id, updated_at = excluded.updated_at
     WHERE excluded.updated_at >= lineage_column_edges.updated_at`,
    [
      job.namespace,
      job.name,
      row.output.namespace,
      row.output.name,
      row.outputField,
      row.input.namespace,
      row.input.name,
      row.inputField,
      row.type,
      row.subtype,
      runId,
      at,
    ],
  );
}
