import type { MetadataDialect } from "../metadata/sql-database.js";

/**
 * The few expressions the metrics queries need that SQLite and PostgreSQL spell
 * differently, as data per dialect (the metadata store keeps instants as ISO-8601 text and
 * run summaries as JSON text).
 */
export interface MetricsSql {
  /** Seconds from one ISO-8601 text instant to another, as a float. */
  secondsBetween(start: string, end: string): string;
  /**
   * FROM-clause text that joins each row of `runs r` to the elements of its summary's
   * `datasets` array as `d`; `datasetField(key)` reads a field of one element.
   */
  summaryDatasets: string;
  datasetText(key: string): string;
  datasetNumber(key: string): string;
}

const SQLITE: MetricsSql = {
  secondsBetween: (start, end) => `ROUND((julianday(${end}) - julianday(${start})) * 86400.0, 3)`,
  // json_valid guards against a summary that is not JSON (json_each would fail the query).
  summaryDatasets: `runs r, json_each(CASE WHEN json_valid(r.summary) THEN r.summary ELSE '{}' END, '$.datasets') d`,
  datasetText: (key) => `json_extract(d.value, '$.${key}')`,
  datasetNumber: (key) => `json_extract(d.value, '$.${key}')`,
};

const POSTGRES: MetricsSql = {
  secondsBetween: (start, end) =>
    `EXTRACT(EPOCH FROM (CAST(${end} AS timestamptz) - CAST(${start} AS timestamptz)))`,
  // jsonb_array_elements fails on a non-array: a summary without datasets yields none.
  summaryDatasets: `runs r CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(CAST(r.summary AS jsonb) -> 'datasets') = 'array'
           THEN CAST(r.summary AS jsonb) -> 'datasets' ELSE '[]'::jsonb END) AS d(value)`,
  datasetText: (key) => `(d.value ->> '${key}')`,
  datasetNumber: (key) => `CAST(d.value ->> '${key}' AS DOUBLE PRECISION)`,
};

export function metricsSqlFor(dialect: MetadataDialect): MetricsSql {
  return dialect.name === "postgres" ? POSTGRES : SQLITE;
}
