import type { Migration } from "./migrations.js";

/**
 * Migration 6: lineage. Every OpenLineage RunEvent weir emits is kept whole
 * (`lineage_events.payload`, the JSON sent to the transports), and the graph it implies is
 * kept as edges so `weir lineage upstream|impact` walks rows, not JSON:
 *
 * - `lineage_datasets`: one row per OpenLineage dataset (namespace + name), with weir's own
 *   name for it (`lake.raw.customers`, `dim_customers`) and its latest schema facet.
 * - `lineage_edges`: job J read dataset I and wrote dataset O (dataset-level lineage).
 * - `lineage_column_edges`: output field ← input field, with the column lineage facet's
 *   type (DIRECT / INDIRECT) and subtype (IDENTITY, TRANSFORMATION, AGGREGATION, FILTER, JOIN…).
 *
 * Edges are upserted by their whole key, so a job that runs every day keeps one edge per
 * (job, input, output), with the run that last confirmed it.
 */
export const LINEAGE_MIGRATION: Migration = {
  version: 6,
  name: "lineage: OpenLineage events, datasets and edges",
  statements: [
    `CREATE TABLE lineage_events (
      event_id TEXT PRIMARY KEY,
      event_time TEXT NOT NULL,
      event_type TEXT NOT NULL,
      run_id TEXT NOT NULL,
      parent_run_id TEXT,
      job_namespace TEXT NOT NULL,
      job_name TEXT NOT NULL,
      payload TEXT NOT NULL
    )`,
    "CREATE INDEX lineage_events_run ON lineage_events (run_id, event_time)",
    "CREATE INDEX lineage_events_job ON lineage_events (job_namespace, job_name, event_time)",
    `CREATE TABLE lineage_datasets (
      namespace TEXT NOT NULL,
      name TEXT NOT NULL,
      weir_name TEXT,
      schema_fields TEXT,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (namespace, name)
    )`,
    "CREATE INDEX lineage_datasets_weir_name ON lineage_datasets (weir_name)",
    `CREATE TABLE lineage_edges (
      job_namespace TEXT NOT NULL,
      job_name TEXT NOT NULL,
      input_namespace TEXT NOT NULL,
      input_name TEXT NOT NULL,
      output_namespace TEXT NOT NULL,
      output_name TEXT NOT NULL,
      last_run_id TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (job_namespace, job_name, input_namespace, input_name, output_namespace, output_name)
    )`,
    "CREATE INDEX lineage_edges_output ON lineage_edges (output_namespace, output_name)",
    "CREATE INDEX lineage_edges_input ON lineage_edges (input_namespace, input_name)",
    `CREATE TABLE lineage_column_edges (
      job_namespace TEXT NOT NULL,
      job_name TEXT NOT NULL,
      output_namespace TEXT NOT NULL,
      output_name TEXT NOT NULL,
      output_field TEXT NOT NULL,
      input_namespace TEXT NOT NULL,
      input_name TEXT NOT NULL,
      input_field TEXT NOT NULL,
      type TEXT NOT NULL,
      subtype TEXT NOT NULL,
      last_run_id TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (job_namespace, job_name, output_namespace, output_name, output_field,
                   input_namespace, input_name, input_field, type, subtype)
    )`,
    "CREATE INDEX lineage_column_edges_output ON lineage_column_edges (output_namespace, output_name, output_field)",
    "CREATE INDEX lineage_column_edges_input ON lineage_column_edges (input_namespace, input_name, input_field)",
  ],
};
