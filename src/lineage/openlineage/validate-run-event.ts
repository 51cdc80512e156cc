import { readdirSync, readFileSync } from "node:fs";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { WeirError } from "../../core/errors.js";
import { FACET_SCHEMA_URLS, type FacetKey } from "./facet-schema-urls.js";
import { WEIR_PRODUCER } from "./producer.js";

/**
 * Checks events against the published OpenLineage JSON Schemas vendored in `schemas/`
 * (core spec 2-0-2 and the facet schemas weir emits; see `schemas/README.md`). Test tooling:
 * weir's runtime never validates what it sends (building events is cheap, validating is
 * not), but its tests validate every event it builds and every event a real run emits.
 *
 * Validation is the spec's, with the formats it declares asserted (`date-time`, `uri`,
 * `uuid`, by ajv-formats), plus what the spec's design implies but a single schema cannot say:
 * every facet is checked against the schema its own `_schemaURL` names, and weir's own
 * facets must name the schema version weir follows for their key.
 */

export interface ValidationResult {
  valid: boolean;
  /** One line per problem: `<JSON pointer into the event> <what is wrong>`. */
  errors: string[];
}

const SCHEMA_DIR = new URL("./schemas/", import.meta.url);
const CORE_ID = "https://openlineage.io/spec/2-0-2/OpenLineage.json";

interface AjvError {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}
type ValidateFunction = ((value: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvInstance {
  addSchema(schema: object): AjvInstance;
  addVocabulary(keywords: string[]): AjvInstance;
  compile(schema: object): ValidateFunction;
  getSchema(ref: string): ValidateFunction | undefined;
}
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvClass }).default ??
  Ajv2020Module) as unknown as AjvClass;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: AjvInstance,
) => void;

interface Validators {
  ajv: AjvInstance;
  /** The whole spec: exactly one of RunEvent, DatasetEvent, JobEvent. */
  spec: ValidateFunction;
  /** The RunEvent definition, which `schemaURL` names: its errors are the readable ones. */
  runEvent: ValidateFunction;
}

let validators: Validators | undefined;

/** Loads the vendored schemas once, on first use (nothing is read when validation is never asked for). */
function load(): Validators {
  if (validators) return validators;
  // Strict mode stays on, so a typo in a vendored schema fails loudly, less one of ajv's
  // own style rules the published schema does not follow (valid JSON Schema all the same):
  // `not: { required: ["job", "run"] }` names properties defined in another branch
  // (strictRequired). `example` is the one annotation keyword OpenLineage uses that JSON
  // Schema 2020-12 does not define.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  ajv.addVocabulary(["example"]);
  addFormats(ajv);
  for (const file of readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), "utf8")) as object);
  }
  validators = {
    ajv,
    spec: ajv.compile({ $ref: CORE_ID }),
    runEvent: ajv.compile({ $ref: `${CORE_ID}#/$defs/RunEvent` }),
  };
  return validators;
}

/**
 * Validates an OpenLineage RunEvent: the core spec, then every facet against the schema
 * its `_schemaURL` names.
 *
 * @example
 * const { valid, errors } = validateRunEvent(event);
 * expect(errors).toEqual([]);
 */
export function validateRunEvent(event: unknown): ValidationResult {
  const { spec, runEvent } = load();
  const errors: string[] = [];
  if (!runEvent(event)) errors.push(...formatErrors(runEvent.errors));
  else if (!spec(event)) errors.push(...formatErrors(spec.errors));
  if (typeof event === "object" && event !== null) {
    for (const [pointer, facets] of facetMaps(event as Record<string, unknown>)) {
      for (const [key, value] of Object.entries(facets))
        errors.push(...facetErrors(`${pointer}/${key}`, key, value));
    }
  }
  return { valid: errors.length === 0, errors };
}

/** `validateRunEvent` that throws (a weir bug: `INTERNAL`) listing every problem. */
export function assertValidRunEvent(event: unknown): void {
  const { errors } = validateRunEvent(event);
  if (errors.length > 0) {
    throw new WeirError("INTERNAL", `invalid OpenLineage RunEvent:\n  ${errors.join("\n  ")}`, {
      details: { errors },
    });
  }
}

/**
 * Validates one facet on its own, against the schema of the facet kind `key` (the version
 * weir follows), e.g. `validateFacet("parent", parentRunFacet(…))`.
 */
export function validateFacet(key: FacetKey, facet: unknown): ValidationResult {
  const expected = FACET_SCHEMA_URLS[key];
  const errors = schemaErrors("", expected, facet);
  const schemaUrl =
    typeof facet === "object" && facet !== null ? (facet as { _schemaURL?: unknown })._schemaURL : undefined;
  if (schemaUrl !== expected)
    errors.push(`/_schemaURL is ${String(schemaUrl)}: the "${key}" facet follows ${expected}`);
  return { valid: errors.length === 0, errors };
}

/** Every facet map in an event, with its JSON pointer. */
function facetMaps(event: Record<string, unknown>): [string, Record<string, unknown>][] {
  const maps: [string, Record<string, unknown>][] = [];
  const add = (pointer: string, value: unknown) => {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      maps.push([pointer, value as Record<string, unknown>]);
    }
  };
  add("/run/facets", (event.run as Record<string, unknown> | undefined)?.facets);
  add("/job/facets", (event.job as Record<string, unknown> | undefined)?.facets);
  for (const side of ["inputs", "outputs"] as const) {
    const datasets = event[side];
    if (!Array.isArray(datasets)) continue;
    datasets.forEach((dataset: Record<string, unknown> | null, i) => {
      if (typeof dataset !== "object" || dataset === null) return;
      add(`/${side}/${i}/facets`, dataset.facets);
      add(
        `/${side}/${i}/${side === "inputs" ? "inputFacets" : "outputFacets"}`,
        dataset[side === "inputs" ? "inputFacets" : "outputFacets"],
      );
    });
  }
  return maps;
}

/** A facet checked against the schema its `_schemaURL` names; weir's facets must name the version weir follows. */
function facetErrors(pointer: string, key: string, facet: unknown): string[] {
  if (typeof facet !== "object" || facet === null) return []; // the core schema reports it
  const { _schemaURL: schemaUrl, _producer: producer } = facet as {
    _schemaURL?: unknown;
    _producer?: unknown;
  };
  if (typeof schemaUrl !== "string") return [];
  const errors: string[] = [];
  const expected = (FACET_SCHEMA_URLS as Record<string, string>)[key];
  if (producer === WEIR_PRODUCER && expected !== undefined && schemaUrl !== expected) {
    errors.push(`${pointer}/_schemaURL is ${schemaUrl}: weir's "${key}" facet follows ${expected}`);
  }
  const known = load().ajv.getSchema(schemaUrl) !== undefined;
  if (known) errors.push(...schemaErrors(pointer, schemaUrl, facet));
  else if (schemaUrl.startsWith("https://openlineage.io/spec/") || producer === WEIR_PRODUCER) {
    // A standard (or weir) facet whose schema is not vendored cannot be checked: say so rather than pass it.
    errors.push(`${pointer}/_schemaURL ${schemaUrl} names a schema that is not vendored in schemas/`);
  }
  return errors;
}

function schemaErrors(pointer: string, schemaUrl: string, value: unknown): string[] {
  const validate = load().ajv.getSchema(schemaUrl);
  if (!validate) return [`${pointer} no vendored schema ${schemaUrl}`];
  return validate(value) ? [] : formatErrors(validate.errors, pointer);
}

function formatErrors(errors: AjvError[] | null | undefined, prefix = ""): string[] {
  return (errors ?? []).map((e) => {
    const detail =
      e.params && "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : "";
    return `${prefix}${e.instancePath || (prefix ? "" : "/")} ${e.message ?? "is invalid"}${detail}`.trim();
  });
}
