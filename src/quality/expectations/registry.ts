import type { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import { COLUMN_AGGREGATE_EXPECTATIONS } from "./column-aggregate-expectations.js";
import { COLUMN_MAP_EXPECTATIONS } from "./column-map-expectations.js";
import { DATEUTIL_EXPECTATIONS } from "./dateutil-expectations.js";
import { DISTINCT_COUNT_EXPECTATIONS } from "./distinct-count-expectations.js";
import { DISTINCT_VALUE_EXPECTATIONS } from "./distinct-value-expectations.js";
import type { ExpectationConfig, ExpectationKind } from "./expectation.js";
import type { ExpectationDefinition } from "./expectation-definition.js";
import { JSON_SCHEMA_EXPECTATIONS } from "./json-schema-expectations.js";
import { KL_DIVERGENCE_EXPECTATIONS } from "./kl-divergence-expectations.js";
import { LIKE_PATTERN_LIST_EXPECTATIONS } from "./like-pattern-list-expectations.js";
import { MULTICOLUMN_EXPECTATIONS } from "./multicolumn-expectations.js";
import { OTHER_TABLE_EXPECTATIONS } from "./other-table-expectations.js";
import { QUERY_ALIASES, QUERY_EXPECTATIONS } from "./query-expectations.js";
import { RECORD_EXPECTATIONS } from "./record-expectations.js";
import { SEQUENCE_EXPECTATIONS } from "./sequence-expectations.js";
import { TABLE_EXPECTATIONS } from "./table-expectations.js";
import { UNEXPECTED_ROWS_EXPECTATIONS } from "./unexpected-rows-expectations.js";
import { UNIQUENESS_EXPECTATIONS } from "./uniqueness-expectations.js";
import { Z_SCORE_EXPECTATIONS } from "./z-score-expectations.js";

const DEFINITIONS = new Map<string, ExpectationDefinition<never>>();
for (const d of [
  ...TABLE_EXPECTATIONS,
  ...COLUMN_MAP_EXPECTATIONS,
  ...SEQUENCE_EXPECTATIONS,
  ...UNIQUENESS_EXPECTATIONS,
  ...COLUMN_AGGREGATE_EXPECTATIONS,
  ...DISTINCT_COUNT_EXPECTATIONS,
  ...DISTINCT_VALUE_EXPECTATIONS,
  ...MULTICOLUMN_EXPECTATIONS,
  ...QUERY_EXPECTATIONS,
  ...LIKE_PATTERN_LIST_EXPECTATIONS,
  ...Z_SCORE_EXPECTATIONS,
  ...RECORD_EXPECTATIONS,
  ...OTHER_TABLE_EXPECTATIONS,
  ...KL_DIVERGENCE_EXPECTATIONS,
  ...DATEUTIL_EXPECTATIONS,
  ...JSON_SCHEMA_EXPECTATIONS,
  ...UNEXPECTED_ROWS_EXPECTATIONS,
] as ExpectationDefinition<never>[]) {
  DEFINITIONS.set(d.type, d);
}

/** Every expectation type weir knows (GX's names), sorted. */
export function expectationTypes(): string[] {
  return [...DEFINITIONS.keys()].sort();
}

/** The kind of an expectation type (aliases included), or undefined for an unknown type. */
export function expectationKind(type: string): ExpectationKind | undefined {
  return DEFINITIONS.get(QUERY_ALIASES[type] ?? type)?.kind;
}

/** The definition of a type; for the compiler. */
export function expectationDefinition(
  type: string,
): ExpectationDefinition<Record<string, unknown>> | undefined {
  return DEFINITIONS.get(QUERY_ALIASES[type] ?? type) as
    | ExpectationDefinition<Record<string, unknown>>
    | undefined;
}

/**
 * Validates one expectation and returns it normalised: its type canonical, its kwargs as
 * parsed by the type's zod schema (unknown kwargs are errors). Accepts GX's older
 * `expectation_type` key for `type`. Throws a `ConfigError` naming `where` (e.g.
 * `suite.yml expectations[3]`), the type and each bad argument; an unknown type lists the
 * closest known names.
 *
 * @example
 * parseExpectation({ type: "expect_column_values_to_be_between", kwargs: { column: "age", min_value: 0 } });
 */
export function parseExpectation(config: unknown, where = "expectation"): ExpectationConfig {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(`${where}: expected an object { type, kwargs }, got ${describe(config)}`, {
      details: { where },
    });
  }
  const raw = config as Record<string, unknown>;
  const type = raw.type ?? raw.expectation_type;
  if (typeof type !== "string" || type.length === 0) {
    throw new ConfigError(
      `${where}: "type" must name an expectation, e.g. expect_column_values_to_not_be_null`,
      {
        details: { where },
      },
    );
  }
  const definition = expectationDefinition(type);
  if (!definition) {
    const close = closeMatches(type, [...DEFINITIONS.keys(), ...Object.keys(QUERY_ALIASES)]);
    const hint =
      close.length > 0
        ? `; did you mean ${close.join(", ")}?`
        : `; known types: ${expectationTypes().join(", ")}`;
    throw new ConfigError(`${where}: unknown expectation type "${type}"${hint}`, {
      details: { where, type, suggestions: close },
    });
  }
  const kwargs = raw.kwargs ?? {};
  if (typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs)) {
    throw new ConfigError(`${where} (${type}): "kwargs" must be an object, got ${describe(kwargs)}`, {
      details: { where, type },
    });
  }
  const parsed = (definition.kwargs as z.ZodType).safeParse(kwargs);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(kwargs)";
      const unknown = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
      return { argument: path, message: `${issue.message}${unknown}` };
    });
    throw new ConfigError(
      `${where} (${definition.type}): invalid arguments:\n${issues.map((i) => `  ${i.argument}: ${i.message}`).join("\n")}`,
      { details: { where, type: definition.type, issues } },
    );
  }
  const meta = raw.meta;
  return {
    type: definition.type,
    kwargs: parsed.data as Record<string, unknown>,
    ...(meta !== undefined && typeof meta === "object" && meta !== null
      ? { meta: meta as Record<string, unknown> }
      : {}),
  };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** Up to three known names closest to `name` (edit distance on the words), best first. */
function closeMatches(name: string, known: readonly string[]): string[] {
  const scored = known
    .map((k) => ({ k, d: editDistance(name.toLowerCase(), k) }))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k));
  const limit = Math.max(3, Math.floor(name.length / 3));
  const near = scored.filter((s) => s.d <= limit).slice(0, 3);
  if (near.length > 0) return near.map((s) => s.k);
  // Nothing close letter by letter: fall back to names sharing the most words.
  const words = new Set(name.toLowerCase().split(/[_\s]+/));
  return known
    .map((k) => ({ k, shared: k.split("_").filter((w) => words.has(w) && w !== "expect").length }))
    .filter((s) => s.shared >= 2)
    .sort((a, b) => b.shared - a.shared || a.k.localeCompare(b.k))
    .slice(0, 3)
    .map((s) => s.k);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
