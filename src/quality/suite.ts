import { z } from "zod";
import { ConfigError, messageOf, WeirError } from "../core/errors.js";
import { WEIR_TYPES } from "../core/types.js";
import type { ExpectationConfig } from "./expectations/expectation.js";
import { expectationKind, parseExpectation } from "./expectations/registry.js";
import { parseMaxAge } from "./freshness.js";
import { parseParameterizedExpectation } from "./resolve-suite-parameters.js";
import { resultFormatSchema } from "./result-format.js";
import { hasSuiteParameters } from "./suite-parameters.js";

const severity = z.enum(["error", "warn"]);

const expectationSchema = z
  .object({
    type: z.string().min(1).describe("a Great Expectations type, e.g. expect_column_values_to_not_be_null"),
    kwargs: z.record(z.string(), z.unknown()).default({}).describe("the expectation's keyword arguments"),
    name: z
      .string()
      .min(1)
      .optional()
      .describe("the check's name in results and quarantine (default: type(column))"),
    severity: severity.default("error").describe("error fails the suite (and the task); warn only records"),
    quarantine: z
      .boolean()
      .default(false)
      .describe("row-level only: failing rows go to quarantine.<dataset> instead of failing the suite"),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** `row_count`, or `null_rate:<col>`, `distinct_count:<col>`, `mean:<col>`. */
export const METRIC_PATTERN = /^(row_count|(null_rate|distinct_count|mean):.+)$/;

export const suiteSchema = z
  .object({
    name: z.string().min(1).default("suite"),
    dataset: z
      .string()
      .min(1)
      .optional()
      .describe("the dataset results are stored under; quarantine.<dataset>"),
    expectations: z.array(expectationSchema).default([]),
    result_format: resultFormatSchema
      .optional()
      .describe("GX's result_format for expectations without their own (default SUMMARY)"),
    suite_parameters: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('values for {"$PARAMETER": …} kwargs, overridden by those given to the run'),
    freshness: z
      .object({
        column: z.string().min(1),
        maxAge: z.string().refine(validDuration, 'expected a duration such as "24h", "30m" or "7d"'),
        severity: severity.default("error"),
      })
      .strict()
      .optional(),
    schema: z
      .object({
        columns: z.array(z.object({ name: z.string().min(1), type: z.enum(WEIR_TYPES) }).strict()).optional(),
        allowExtra: z.boolean().optional(),
        failOnBreaking: z.boolean().optional(),
        severity: severity.default("error"),
      })
      .strict()
      .optional(),
    anomalies: z
      .object({
        metrics: z
          .array(
            z
              .string()
              .regex(
                METRIC_PATTERN,
                "expected row_count, null_rate:<column>, distinct_count:<column> or mean:<column>",
              ),
          )
          .min(1),
        method: z.enum(["zscore", "relative"]).default("zscore"),
        threshold: z.number().positive().optional(),
        minHistory: z.number().int().min(1).optional(),
        severity: severity.default("warn"),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SuiteInput = z.input<typeof suiteSchema>;
type ParsedSuite = z.output<typeof suiteSchema>;

export type Severity = "error" | "warn";

/** One expectation of a suite, validated, with its name and action. */
export interface SuiteExpectation {
  name: string;
  /** Validated and normalised by the expectation registry. */
  config: ExpectationConfig;
  severity: Severity;
  quarantine: boolean;
  /**
   * Where the expectation and each of its kwargs are written ("file:line:col"), for suites
   * read from a file: errors found only when the suite runs (a bound that does not fit its
   * column's type) point there.
   */
  location?: ExpectationLocation;
}

export interface ExpectationLocation {
  expectation: string;
  /** By kwarg name. */
  kwargs: Record<string, string>;
}

export interface Suite extends Omit<ParsedSuite, "expectations"> {
  expectations: SuiteExpectation[];
}

/** Maps a path inside the suite input to "file:line:col" for messages; YAML files provide one. */
export type Locate = (path: readonly (string | number)[]) => string | undefined;

/**
 * Validates a suite written in TypeScript (or parsed from YAML/JSON): its shape, every
 * expectation's type and arguments (through the expectation registry, which suggests
 * close names for typos), and unique check names.
 *
 * @example
 * const suite = defineSuite({
 *   name: "customers",
 *   expectations: [
 *     { type: "expect_column_values_to_not_be_null", kwargs: { column: "id" } },
 *     { type: "expect_column_values_to_be_between", kwargs: { column: "age", min_value: 13, max_value: 120 }, quarantine: true },
 *   ],
 *   freshness: { column: "updated_at", maxAge: "24h" },
 * });
 */
export function defineSuite(input: SuiteInput): Suite {
  return parseSuite(input);
}

/** `defineSuite` for untyped input; `label` names the input (a file) and `locate` finds positions in it. */
export function parseSuite(input: unknown, options: { label?: string; locate?: Locate } = {}): Suite {
  const label = options.label ?? "suite";
  const at = (path: readonly (string | number)[]) => {
    const position = options.locate?.(path);
    return position ? `${position}: ` : `${label}: `;
  };
  const parsed = suiteSchema.safeParse(fromGreatExpectations(input));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    // An unknown key is pointed at itself, not at the mapping that holds it.
    const key = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const position = at(key === undefined ? path : [...path, key]);
    throw new ConfigError(`${position}${pathText(path)}: ${issue.message}${typeHint(input, path)}`, {
      details: { suite: label, path: pathText(path), issues: parsed.error.issues.length },
    });
  }
  const names = new Set<string>();
  const expectations = parsed.data.expectations.map((e, i): SuiteExpectation => {
    // The registry adds the type (and the argument) to its messages.
    const where = `${at(["expectations", i])}expectations[${i}]`;
    let config: ExpectationConfig;
    try {
      const raw = { type: e.type, kwargs: e.kwargs, ...(e.meta ? { meta: e.meta } : {}) };
      config = hasSuiteParameters(e.kwargs)
        ? parseParameterizedExpectation(raw, where)
        : parseExpectation(raw, where);
    } catch (error) {
      throw relocate(error, e, i, options, label);
    }
    const kind = expectationKind(config.type);
    if (e.quarantine && kind !== undefined && kind !== "column_map" && kind !== "multicolumn_map") {
      throw new ConfigError(
        `${at(["expectations", i, "quarantine"])}expectations[${i}] (${config.type}) is a ${kind} expectation: only row-level (column_map, multicolumn_map) expectations can quarantine rows`,
        { details: { suite: label, type: config.type } },
      );
    }
    let name = e.name ?? defaultName(config);
    if (names.has(name)) {
      if (e.name !== undefined) {
        throw new ConfigError(`${at(["expectations", i, "name"])}two expectations are named "${name}"`, {
          details: { suite: label, name },
        });
      }
      let n = 2;
      while (names.has(`${name}#${n}`)) n++;
      name = `${name}#${n}`;
    }
    names.add(name);
    const location = locationOf(options.locate, i, Object.keys(e.kwargs));
    return {
      name,
      config,
      severity: e.severity,
      quarantine: e.quarantine,
      ...(location ? { location } : {}),
    };
  });
  return { ...parsed.data, expectations };
}

function locationOf(
  locate: Locate | undefined,
  index: number,
  kwargs: readonly string[],
): ExpectationLocation | undefined {
  const expectation = locate?.(["expectations", index]);
  if (expectation === undefined) return undefined;
  const positions = kwargs.flatMap((k) => {
    const position = locate?.(["expectations", index, "kwargs", k]);
    return position === undefined ? [] : [[k, position] as const];
  });
  return { expectation, kwargs: Object.fromEntries(positions) };
}

/** `type(column)` or `type(a, b)` for column-list expectations, else the type. */
export function defaultName(config: ExpectationConfig): string {
  const k = config.kwargs;
  const columns =
    typeof k.column === "string"
      ? [k.column]
      : Array.isArray(k.column_list)
        ? k.column_list.map(String)
        : typeof k.column_A === "string" && typeof k.column_B === "string"
          ? [k.column_A, k.column_B]
          : [];
  return columns.length > 0 ? `${config.type}(${columns.join(", ")})` : config.type;
}

/** Accepts GX's own suite JSON (`expectation_suite_name`, `expectation_type`) as well. */
function fromGreatExpectations(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  if ("expectation_suite_name" in out) {
    if (!("name" in out)) out.name = out.expectation_suite_name;
    // GX's bookkeeping, which weir has no use for.
    for (const key of ["expectation_suite_name", "data_asset_type", "ge_cloud_id", "id", "meta", "notes"]) {
      delete out[key];
    }
  }
  if (Array.isArray(out.expectations)) {
    out.expectations = out.expectations.map((e) => {
      if (typeof e !== "object" || e === null || !("expectation_type" in e) || "type" in e) return e;
      const { expectation_type, ...rest } = e as Record<string, unknown>;
      return { type: expectation_type, ...rest };
    });
  }
  return out;
}

/**
 * Points an expectation error at the bad argument's own position when the registry
 * names it (its `details.argument` or a kwarg quoted in the message).
 */
function relocate(
  error: unknown,
  e: { type: string; kwargs: Record<string, unknown> },
  i: number,
  options: { locate?: Locate },
  label: string,
): unknown {
  if (!(error instanceof WeirError)) return error;
  const issues = error.details.issues;
  const first = Array.isArray(issues) ? (issues[0] as { argument?: unknown } | undefined) : undefined;
  const fromDetails = first?.argument ?? error.details.argument;
  // A missing argument is located at its `kwargs` (the locator falls back to the parent).
  const argument =
    typeof fromDetails === "string" && !fromDetails.startsWith("(")
      ? fromDetails.split(".")[0]!
      : Object.keys(e.kwargs).find((k) => new RegExp(`\\b${escapeRegex(k)}\\b`).test(error.message));
  const position =
    (argument !== undefined ? options.locate?.(["expectations", i, "kwargs", argument]) : undefined) ??
    options.locate?.(["expectations", i]);
  const message = messageOf(error);
  const where = options.locate?.(["expectations", i]);
  // The registry was told the expectation's position; swap in the argument's when known.
  const text = position && where && position !== where ? message.replace(where, position) : message;
  return new ConfigError(text, {
    cause: error.cause,
    details: {
      ...error.details,
      suite: label,
      type: e.type,
      ...(argument !== undefined ? { argument } : {}),
      ...(position ? { position } : {}),
    },
  });
}

function validDuration(text: string): boolean {
  try {
    parseMaxAge(text);
    return true;
  } catch {
    return false;
  }
}

function pathText(path: readonly (string | number)[]): string {
  return (
    path.reduce<string>(
      (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc === "" ? p : `${acc}.${p}`),
      "",
    ) || "(suite)"
  );
}

/** Adds the expectation type to messages about one expectation's fields. */
function typeHint(input: unknown, path: readonly (string | number)[]): string {
  if (path[0] !== "expectations" || typeof path[1] !== "number") return "";
  const list = (input as { expectations?: unknown[] } | null)?.expectations;
  const e = Array.isArray(list) ? list[path[1]] : undefined;
  const type = (e as { type?: unknown; expectation_type?: unknown } | undefined)?.type;
  return typeof type === "string" ? ` (in ${type})` : "";
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
