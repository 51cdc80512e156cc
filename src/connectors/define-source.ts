import { z } from "zod";
import { ConfigError } from "../core/errors.js";
import { WEIR_TYPES } from "../core/types.js";
import type { Source } from "./source.js";

/**
 * A source type: a name, a zod schema that validates its config and documents it (every
 * field has `.describe()`, which also generates the reference docs), and a constructor.
 */
export interface SourceDefinition<C extends z.ZodType = z.ZodType> {
  type: string;
  description: string;
  config: C;
  /** Markdown for the reference page (`docs/sources.md`) below the options: behaviour the options do not say. */
  notes?: string;
  create(config: z.output<C>): Source;
}

const registry = new Map<string, SourceDefinition>();

/** A column override map shared by the sources: column name → logical type. */
export const columnTypesConfig = z
  .record(z.string(), z.enum(WEIR_TYPES))
  .describe("column name → weir type; overrides the inferred or declared type of those columns only");

/**
 * Registers a source type so `createSource({ type, … })` can build it from plain config.
 *
 * @example
 * export const csvSourceDefinition = defineSource({
 *   type: "csv",
 *   description: "CSV files",
 *   config: z.object({ path: z.string().describe("file or glob") }),
 *   create: (config) => new CsvSource(config),
 * });
 */
/**
 * Validates a source's config against its zod schema, or throws a ConfigError that names
 * every invalid field (`csv source: delimiter: …; path: …`).
 */
export function parseSourceConfig<C extends z.ZodType>(
  type: string,
  schema: C,
  config: unknown,
): z.output<C> {
  const parsed = schema.safeParse(config);
  if (!parsed.success) {
    throw new ConfigError(
      `${type} source: ${parsed.error.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

export function defineSource<C extends z.ZodType>(definition: SourceDefinition<C>): SourceDefinition<C> {
  if (registry.has(definition.type) && registry.get(definition.type) !== definition) {
    throw new ConfigError(`source type "${definition.type}" is defined twice`);
  }
  registry.set(definition.type, definition as unknown as SourceDefinition);
  return definition;
}

/** The registered source types, for docs and `weir` CLI listings. */
export function sourceDefinitions(): SourceDefinition[] {
  return [...registry.values()];
}

/** Renders zod issues as "path: message" lines, naming the source type. */
function describeIssues(type: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(config)";
    return `  ${path}: ${issue.message}`;
  });
  return `invalid config for source type "${type}":\n${lines.join("\n")}`;
}

/**
 * Validates `config` against the registered schema of `config.type` and constructs the
 * source. Unknown types and invalid fields raise a `ConfigError` listing every problem.
 * Only registered types are known: import `create-source.ts` (which registers the
 * built-ins) rather than this file when you need them all.
 */
export function createRegisteredSource(config: { type: string } & Record<string, unknown>): Source {
  const definition = registry.get(config.type);
  if (!definition) {
    const known = [...registry.keys()].sort().join(", ");
    throw new ConfigError(`unknown source type "${config.type}"; known types: ${known}`, {
      details: { type: config.type },
    });
  }
  const { type: _type, ...rest } = config;
  const parsed = definition.config.safeParse(rest);
  if (!parsed.success) {
    throw new ConfigError(describeIssues(config.type, parsed.error), {
      details: {
        type: config.type,
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      },
    });
  }
  return definition.create(parsed.data);
}
