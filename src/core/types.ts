/**
 * The logical column types weir understands. Every engine maps them to its own type
 * names (see each dialect's `typeName`), so a schema can move between engines.
 */
export const WEIR_TYPES = [
  "boolean",
  "integer",
  "bigint",
  "double",
  "decimal",
  "varchar",
  "date",
  "timestamp",
  "timestamptz",
  "json",
  "blob",
] as const;

export type WeirType = (typeof WEIR_TYPES)[number];

export interface Field {
  name: string;
  type: WeirType;
  /** Defaults to true. */
  nullable?: boolean;
}

export interface Schema {
  fields: Field[];
}

/** A table inside an engine: `schema.name`, or just `name` for the engine's default schema. */
export interface TableRef {
  schema?: string;
  name: string;
}

export function tableRef(qualified: string): TableRef {
  const dot = qualified.indexOf(".");
  return dot < 0 ? { name: qualified } : { schema: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
}

export function tableLabel(ref: TableRef): string {
  return ref.schema ? `${ref.schema}.${ref.name}` : ref.name;
}

export function fieldNames(schema: Schema): string[] {
  return schema.fields.map((f) => f.name);
}
