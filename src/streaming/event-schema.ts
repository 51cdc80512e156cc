import { StreamError } from "../core/errors.js";
import type { Field, WeirType } from "../core/types.js";

/**
 * The declared shape of a stream's events. Each field is a type name, with `?` when it
 * may be missing or null: `"string"`, `"integer"`, `"number"`, `"boolean"`,
 * `"timestamp"` (ISO-8601 text with a zone, or epoch milliseconds), `"object"` (any JSON
 * object, stored as JSON), `"json"` (any JSON value).
 *
 * @example
 * const schema = { event_id: "integer", user_id: "string", timestamp: "timestamp", referrer_url: "string?" };
 */
export type EventSchema = Record<string, EventFieldType>;

const BASE_TYPES = ["string", "integer", "number", "boolean", "timestamp", "object", "json"] as const;
type BaseType = (typeof BASE_TYPES)[number];
export type EventFieldType = BaseType | `${BaseType}?`;

/** A parsed event: the JSON object as `JSON.parse` made it. */
export type StreamEvent = Record<string, unknown>;

const COLUMN_TYPE: Record<BaseType, WeirType> = {
  string: "varchar",
  integer: "bigint",
  number: "double",
  boolean: "boolean",
  timestamp: "timestamptz",
  object: "json",
  json: "json",
};

interface CompiledField {
  name: string;
  type: BaseType;
  optional: boolean;
}

/** A field problem, or undefined when the event fits. One message names field and expectation. */
export type EventCheck = (event: StreamEvent) => string | undefined;

/** The schema's fields, checked once when a job is defined. */
export function compileEventSchema(schema: EventSchema, job: string): CompiledField[] {
  const fields: CompiledField[] = [];
  for (const [name, declared] of Object.entries(schema)) {
    const optional = typeof declared === "string" && declared.endsWith("?");
    const type = (optional ? declared.slice(0, -1) : declared) as BaseType;
    if (!BASE_TYPES.includes(type)) {
      throw new StreamError(
        "STREAM_JOB_INVALID",
        `stream job ${job}: field "${name}" has type ${JSON.stringify(declared)}; expected one of ${BASE_TYPES.join(", ")} (with ? when optional)`,
        { details: { job, field: name } },
      );
    }
    fields.push({ name, type, optional });
  }
  if (fields.length === 0) {
    throw new StreamError("STREAM_JOB_INVALID", `stream job ${job}: the schema declares no fields`);
  }
  return fields;
}

/** The column types of the declared fields, in declaration order. */
export function schemaColumns(fields: readonly CompiledField[]): Field[] {
  return fields.map((f) => ({ name: f.name, type: COLUMN_TYPE[f.type] }));
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${typeof value === "object" ? "" : String(value)}`.trim();
}

function fits(type: BaseType, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "timestamp":
      return (
        (typeof value === "string" && !Number.isNaN(Date.parse(value))) ||
        (typeof value === "number" && Number.isFinite(value))
      );
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "json":
      return true;
  }
}

/**
 * A checker for the schema (all fields but `except`): a plain loop over the fields with `typeof` tests (no
 * allocation when the event fits), returning the first problem as text.
 */
export function eventChecker(fields: readonly CompiledField[], except?: string): EventCheck {
  // The event-time field is checked by whoever parses it (once, not twice per event).
  const list = fields.filter((f) => f.name !== except);
  return (event) => {
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      const value = event[f.name];
      if (value === undefined || value === null) {
        if (f.optional) continue;
        return `field "${f.name}": expected ${f.type}, ${value === undefined ? "missing" : "got null"}`;
      }
      if (!fits(f.type, value)) return `field "${f.name}": expected ${f.type}, got ${describe(value)}`;
      // PostgreSQL text cannot hold NUL: such an event would stop every commit of its epoch.
      if (typeof value === "string" && value.includes("\u0000")) {
        return `field "${f.name}": a string holding a NUL character (\\u0000), which the warehouse cannot store`;
      }
    }
    return undefined;
  };
}

/** Epoch milliseconds of a timestamp field value already checked by `eventChecker`. */
export function timestampMs(value: unknown): number {
  return typeof value === "number" ? value : Date.parse(value as string);
}
