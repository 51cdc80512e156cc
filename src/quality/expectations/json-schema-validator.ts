import Ajv07 from "ajv";
import Ajv2019 from "ajv/dist/2019.js";
import Ajv2020 from "ajv/dist/2020.js";

/**
 * JSON Schema validation as Python's `jsonschema.validate(instance, schema)` (GX's metric):
 * the draft the schema names in `$schema`, else the latest (2020-12); unknown keywords are
 * ignored and `format` is not asserted (jsonschema's defaults). A schema that is itself
 * invalid is an error. Drafts 04 and 03 are not supported.
 */
export type JsonValidator = (value: unknown) => boolean;

type AjvClass = new (
  options: Record<string, unknown>,
) => {
  compile(schema: unknown): (value: unknown) => boolean;
};
const classOf = (module: unknown): AjvClass =>
  ((module as { default?: AjvClass }).default ?? module) as AjvClass;

const OPTIONS = { strict: false, validateFormats: false, allErrors: false };
const instances = new Map<string, ReturnType<typeof make>>();
function make(draft: string) {
  const Ajv = classOf(draft === "07" ? Ajv07 : draft === "2019" ? Ajv2019 : Ajv2020);
  return new Ajv(OPTIONS);
}

function draftOf(schema: unknown): string {
  const id =
    typeof schema === "object" && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  if (typeof id !== "string") return "2020";
  if (/draft-0[67]/.test(id)) return "07";
  if (/2019-09/.test(id)) return "2019";
  if (/draft-0[34]/.test(id))
    throw new Error(`${id}: JSON Schema drafts 03 and 04 are not supported (use draft-07 or later)`);
  return "2020";
}

/** Compiles a schema (a fresh validator instance per schema, so `$id`s never clash); throws on an invalid schema. */
export function jsonSchemaValidator(schema: unknown): JsonValidator {
  if (typeof schema !== "object" && typeof schema !== "boolean")
    throw new Error("expected a JSON Schema: an object (or true / false)");
  const draft = draftOf(schema);
  const ajv = instances.get(draft) ?? make(draft);
  instances.set(draft, ajv);
  try {
    return ajv.compile(schema);
  } catch (error) {
    // A schema with an $id is kept by Ajv; a second compile of it would clash, so use a fresh instance.
    if (/already exists/.test((error as Error).message)) return make(draft).compile(schema);
    throw error;
  }
}
