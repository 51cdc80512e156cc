import type { Field } from "../core/types.js";
import { type AggregateSpec, compileAggregate } from "./aggregates/index.js";
import type { DerivedColumn, StreamJobDefinition } from "./define-stream-job.js";
import {
  compileEventSchema,
  type EventCheck,
  eventChecker,
  type StreamEvent,
  schemaColumns,
} from "./event-schema.js";

/** What the hot loop needs of a job, worked out once: checkers, columns, field lists. */
export interface CompiledJob {
  job: StreamJobDefinition;
  check: EventCheck;
  timeField: string;
  declared: Field[];
  derivedFields: Field[];
  derive: ((event: StreamEvent, eventTime: number) => unknown)[];
  filter: ((event: StreamEvent) => boolean) | undefined;
  windows?: {
    groupBy: string[];
    groupFields: Field[];
    aggregates: { name: string; spec: AggregateSpec }[];
    /** The field each aggregate reads (undefined: counts events). */
    aggregateFields: (string | undefined)[];
    /** Window rows: window_start, window_end, group keys, aggregates. */
    outputFields: Field[];
  };
}

export function compileJob(job: StreamJobDefinition): CompiledJob {
  const fields = compileEventSchema(job.schema, job.id);
  const declared = schemaColumns(fields);
  const derivedEntries = Object.entries(job.derive ?? {}) as [string, DerivedColumn][];
  const derivedFields = derivedEntries.map(([name, d]) => ({ name, type: d.type }));
  const all = new Map([...declared, ...derivedFields].map((f) => [f.name, f]));
  const compiled: CompiledJob = {
    job,
    check: eventChecker(fields, job.eventTime.field),
    timeField: job.eventTime.field,
    declared,
    derivedFields,
    derive: derivedEntries.map(([, d]) => d.value),
    filter: job.filter,
  };
  if (job.windows) {
    const aggregates = Object.entries(job.windows.aggregates).map(([name, spec]) => ({ name, spec }));
    const groupFields = job.windows.groupBy.map((name) => all.get(name)!);
    compiled.windows = {
      groupBy: job.windows.groupBy,
      groupFields,
      aggregates,
      aggregateFields: aggregates.map((a) => (a.spec as { field?: string }).field),
      outputFields: [
        { name: "window_start", type: "timestamptz" },
        { name: "window_end", type: "timestamptz" },
        ...groupFields,
        ...aggregates.map((a) => ({ name: a.name, type: compileAggregate(a.spec).outputType })),
      ],
    };
  }
  return compiled;
}
