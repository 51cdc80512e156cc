import { z } from "zod";
import { WeirError } from "../../core/errors.js";

/**
 * The narrow slice of an OpenLineage RunEvent (spec 2-0-2) the lineage store reads. It is
 * its own type on purpose, not weir's event builders': the store ingests any valid event,
 * from weir or from another producer, so it reads only what the spec promises and keeps
 * every other key (loose objects), and the payload is stored whole.
 */

const transformation = z.looseObject({
  type: z.string().min(1),
  subtype: z.string().optional(),
  description: z.string().optional(),
  masking: z.boolean().optional(),
});

/** An input field of the column lineage facet: `fields.<out>.inputFields[]` and `dataset[]`. */
const inputField = z.looseObject({
  namespace: z.string(),
  name: z.string(),
  field: z.string(),
  transformations: z.array(transformation).optional(),
});

const columnLineageFacet = z.looseObject({
  fields: z
    .record(
      z.string(),
      z.looseObject({
        inputFields: z.array(inputField).default([]),
        // Facet 1-0-x: one transformation per output field, IDENTITY or MASKED.
        transformationType: z.string().optional(),
        transformationDescription: z.string().optional(),
      }),
    )
    .default({}),
  dataset: z.array(inputField).optional(),
});

const schemaFacet = z.looseObject({
  fields: z.array(z.looseObject({ name: z.string(), type: z.string().optional() })).default([]),
});

/** weir's own dataset facet: the name weir knows the dataset by (`lake.raw.customers`). */
const weirFacet = z.looseObject({ name: z.string().min(1) });

// A facet that does not have the shape the store reads is ignored, not fatal: other
// producers' facets are theirs, and one odd facet must not lose the whole event.
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const datasetFacets = z.looseObject({
  schema: lenient(schemaFacet),
  columnLineage: lenient(columnLineageFacet),
  weir: lenient(weirFacet),
});

const dataset = z.looseObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  facets: datasetFacets.optional(),
});

const eventTime = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), "expected an ISO-8601 date-time");

const storedEventSchema = z.looseObject({
  // START, RUNNING, COMPLETE, ABORT, FAIL or OTHER; a value a later spec adds is kept as it is.
  eventType: z.string().min(1).optional(),
  eventTime,
  run: z.looseObject({
    runId: z.string().min(1),
    facets: z
      .looseObject({
        parent: lenient(z.looseObject({ run: z.looseObject({ runId: z.string() }) })),
      })
      .optional(),
  }),
  job: z.looseObject({ namespace: z.string().min(1), name: z.string().min(1) }),
  inputs: z.array(dataset).optional(),
  outputs: z.array(dataset).optional(),
  producer: z.string().optional(),
  schemaURL: z.string().optional(),
});

export type StoredEvent = z.infer<typeof storedEventSchema>;
export type StoredDataset = z.infer<typeof dataset>;
export type StoredInputField = z.infer<typeof inputField>;
export type StoredColumnLineage = z.infer<typeof columnLineageFacet>;

/**
 * Reads `value` (an event object or its JSON text) as a RunEvent, or throws
 * LINEAGE_EVENT_INVALID naming the first problem and where it is.
 *
 * @example
 * const event = parseStoredEvent(JSON.parse(line));
 */
export function parseStoredEvent(value: unknown): StoredEvent {
  let input = value;
  if (typeof value === "string") {
    try {
      input = JSON.parse(value);
    } catch (cause) {
      throw new WeirError("LINEAGE_EVENT_INVALID", "lineage event is not JSON", { cause });
    }
  }
  const parsed = storedEventSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.length > 0 ? issue.path.join(".") : "(event)";
  throw new WeirError("LINEAGE_EVENT_INVALID", `invalid OpenLineage RunEvent at ${at}: ${issue.message}`, {
    details: { path: at },
  });
}
