/**
 * The shapes of SQL-derived column lineage, as the OpenLineage column lineage dataset facet
 * (1-2-0) defines them: each output column lists its input fields, each with the
 * transformations that relate it to the output; `datasetLevel` holds the indirect lineage
 * that applies to every output column (the facet's `dataset` array).
 */

/** A table or view, as the statement names it (not resolved to a default schema). */
export interface TableName {
  catalog?: string;
  schema?: string;
  name: string;
}

/** A file (or glob) a table function read or a COPY wrote: `read_parquet('lake/x/*.parquet')`. */
export interface FileName {
  file: string;
}

/** What a statement reads or writes: a table or view, or files. */
export type DatasetName = TableName | FileName;

/**
 * The columns of a table, view or file, in order, when known; `undefined` when not. Used
 * to expand `SELECT *` and to tell which FROM table an unqualified column belongs to.
 */
export interface ColumnCatalog {
  columnsOf(table: DatasetName): readonly string[] | undefined | Promise<readonly string[] | undefined>;
}

/** A catalog that answers at once: what `selectLineage` (the pure part) reads. */
export interface SyncColumnCatalog {
  columnsOf(table: DatasetName): readonly string[] | undefined;
}

export type TransformationType = "DIRECT" | "INDIRECT";

export type TransformationSubtype =
  | "IDENTITY"
  | "TRANSFORMATION"
  | "AGGREGATION"
  | "JOIN"
  | "FILTER"
  | "GROUP_BY"
  | "SORT"
  | "WINDOW"
  | "CONDITIONAL";

export interface Transformation {
  type: TransformationType;
  subtype: TransformationSubtype;
  /** True when the transformation obfuscates the value (a hash, `count`, weir's masking functions). */
  masking?: boolean;
}

export interface InputField {
  table: DatasetName;
  field: string;
  transformations: Transformation[];
}

export interface ColumnLineage {
  name: string;
  inputFields: InputField[];
}

export type StatementKind =
  | "select"
  | "create_table_as"
  | "create_view_as"
  | "insert_select"
  | "copy_to"
  | "other";

export interface StatementLineage {
  /** False when the statement could not be parsed (or is not one lineage is derived from); `reason` says why. */
  parsed: boolean;
  /** Why `parsed` is false, or what could not be traced (a `SELECT *` over a table of unknown columns…). */
  reason?: string;
  kind: StatementKind;
  /** What the statement writes. */
  target?: DatasetName;
  /** Every table, view or file the statement reads, in order of appearance. */
  inputs: DatasetName[];
  /** Per output column, in output order. */
  columns: ColumnLineage[];
  /** Indirect lineage that applies to all outputs (WHERE, JOIN ON, GROUP BY, ORDER BY…). */
  datasetLevel: InputField[];
}

/** Whether a dataset name is a file. */
export function isFileName(dataset: DatasetName): dataset is FileName {
  return "file" in dataset;
}

/** `catalog.schema.name`, or the file path: for messages and keys. */
export function datasetLabel(dataset: DatasetName): string {
  if (isFileName(dataset)) return dataset.file;
  return [dataset.catalog, dataset.schema, dataset.name].filter((p) => p !== undefined).join(".");
}
