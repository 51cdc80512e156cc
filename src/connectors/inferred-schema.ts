import type { Logger } from "../core/log.js";
import type { Field, Schema } from "../core/types.js";

/**
 * A column of a source that types its input itself (CSV, NDJSON, JSON, Parquet), and how
 * its type was decided: declared in the source's `columns`, or inferred from the data.
 */
export interface InferredField extends Field {
  origin: "declared" | "inferred";
  /**
   * Why an inferred column has a wider type than its first values suggested, e.g.
   * `text: "00501" would read as 501 as bigint`.
   */
  note?: string;
}

export interface InferredSchema {
  fields: InferredField[];
}

/**
 * The schema with each field's origin: declared when its name is in `declared`, else
 * inferred; `notes` (column → why it was widened) are attached to the inferred ones.
 */
export function inferredSchemaOf(
  schema: Schema,
  declared: Record<string, unknown>,
  notes: ReadonlyMap<string, string> = new Map(),
): InferredSchema {
  return {
    fields: schema.fields.map((f) => {
      const field: InferredField = {
        ...f,
        origin: Object.hasOwn(declared, f.name) ? "declared" : "inferred",
      };
      const note = notes.get(f.name);
      if (note !== undefined && field.origin === "inferred") field.note = note;
      return field;
    }),
  };
}

/**
 * One line naming every column with its type, marking the declared ones and saying why a
 * widened one is wider: `id bigint, zip varchar (text: "00501" would read as 501 as bigint), amount decimal (declared)`.
 *
 * @example
 * describeInferredSchema({ fields: [{ name: "id", type: "bigint", origin: "inferred" }] }) // "id bigint"
 */
export function describeInferredSchema(schema: InferredSchema): string {
  return schema.fields
    .map((f) => {
      const how = f.origin === "declared" ? " (declared)" : f.note ? ` (${f.note})` : "";
      return `${f.name} ${f.type}${how}`;
    })
    .join(", ");
}

/** Logs the columns an extract landed with, so a user can see what was inferred. */
export function logInferredSchema(
  logger: Logger | undefined,
  location: string,
  schema: InferredSchema,
): void {
  if (!logger || !schema.fields.some((f) => f.origin === "inferred")) return;
  logger.log({
    level: "info",
    message: `${location}: columns ${describeInferredSchema(schema)}`,
    fields: { location, columns: schema.fields },
  });
}
