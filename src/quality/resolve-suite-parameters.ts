import { ConfigError, WeirError } from "../core/errors.js";
import type { ExpectationConfig } from "./expectations/expectation.js";
import { parseExpectation } from "./expectations/registry.js";
import type { Suite } from "./suite.js";
import {
  hasSuiteParameters,
  isSuiteParameter,
  SuiteParameterError,
  type SuiteParameters,
  substituteSuiteParameters,
  suiteParameterSyntaxProblems,
} from "./suite-parameters.js";

/**
 * Reads an expectation whose kwargs hold `{"$PARAMETER": …}` when the suite is loaded: the
 * expressions must parse and the other arguments must be valid, but the parameterised
 * arguments are only checked once their values are known (`resolveSuiteParameters`, when
 * the suite runs). The config keeps the `$PARAMETER` objects.
 */
export function parseParameterizedExpectation(
  raw: { type: string; kwargs: Record<string, unknown>; meta?: Record<string, unknown> },
  where: string,
): ExpectationConfig {
  const syntax = suiteParameterSyntaxProblems(raw.kwargs);
  if (syntax.length > 0) throw invalidArguments(where, raw.type, syntax);
  const parameterized = Object.keys(raw.kwargs).filter((k) => isSuiteParameter(raw.kwargs[k]));
  const rest = Object.fromEntries(Object.entries(raw.kwargs).filter(([k]) => !parameterized.includes(k)));
  let type = raw.type;
  try {
    type = parseExpectation({ ...raw, kwargs: rest }, where).type;
  } catch (error) {
    const issues = error instanceof WeirError ? error.details.issues : undefined;
    if (!Array.isArray(issues)) throw error; // an unknown type: the registry's message
    type = String(error instanceof WeirError ? error.details.type : raw.type);
    const left = (issues as { argument: string; message: string }[]).filter(
      (i) => !parameterized.includes(i.argument.split(".")[0]!) && i.argument !== "(kwargs)",
    );
    const unknownKeys = (issues as { argument: string; message: string }[]).filter(
      (i) => i.argument === "(kwargs)" && /unrecognized/i.test(i.message),
    );
    if (left.length + unknownKeys.length > 0) throw invalidArguments(where, type, [...unknownKeys, ...left]);
  }
  return { type, kwargs: raw.kwargs, ...(raw.meta ? { meta: raw.meta } : {}) };
}

/**
 * The suite with every `$PARAMETER` replaced by its value — `parameters` over the suite's
 * own `suite_parameters` — and those expectations validated again. An unknown parameter,
 * an expression that cannot be evaluated or a value that does not fit its argument is a
 * `ConfigError` pointing at the argument in the suite file (file:line:col).
 *
 * @example
 * const resolved = resolveSuiteParameters(suite, { parameters: { min_rows: 10 }, now: new Date() });
 */
export function resolveSuiteParameters(
  suite: Suite,
  options: { parameters?: SuiteParameters | undefined; now: Date },
): Suite {
  const parameters = { ...suite.suite_parameters, ...options.parameters };
  if (!suite.expectations.some((e) => hasSuiteParameters(e.config.kwargs))) return suite;
  const expectations = suite.expectations.map((e, i) => {
    const kwargs = e.config.kwargs;
    if (!hasSuiteParameters(kwargs)) return e;
    const at = (argument: string | undefined) =>
      (argument === undefined ? undefined : e.location?.kwargs[argument]) ?? e.location?.expectation;
    const where = (argument?: string) => `${at(argument) ?? `suite ${suite.name}`}: expectations[${i}]`;
    let resolved: Record<string, unknown>;
    try {
      resolved = substituteSuiteParameters(kwargs, parameters, options.now);
    } catch (error) {
      if (!(error instanceof SuiteParameterError)) throw error;
      const argument = error.message.split(":")[0];
      throw new ConfigError(`${where(argument)} (${e.config.type}): ${error.message}`, {
        details: {
          suite: suite.name,
          expectation: i,
          type: e.config.type,
          argument,
          ...(error.unknown ? { parameter: error.unknown } : {}),
        },
      });
    }
    let config: ExpectationConfig;
    try {
      config = parseExpectation({ ...e.config, kwargs: resolved }, where());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const issues = error.details.issues;
      const argument = Array.isArray(issues) ? (issues[0] as { argument?: string }).argument : undefined;
      const position = at(argument);
      const message =
        position && e.location?.expectation
          ? error.message.replace(e.location.expectation, position)
          : error.message;
      throw new ConfigError(`${message}\n  (with suite parameters: ${describeValues(kwargs, resolved)})`, {
        details: { ...error.details, suite: suite.name, expectation: i, ...(argument ? { argument } : {}) },
      });
    }
    return { ...e, config };
  });
  return { ...suite, expectations };
}

function describeValues(raw: Record<string, unknown>, resolved: Record<string, unknown>): string {
  return Object.keys(raw)
    .filter((k) => isSuiteParameter(raw[k]))
    .map((k) => `${k} = ${JSON.stringify(resolved[k])}`)
    .join(", ");
}

function invalidArguments(
  where: string,
  type: string,
  issues: { argument: string; message: string }[],
): ConfigError {
  return new ConfigError(
    `${where} (${type}): invalid arguments:\n${issues.map((i) => `  ${i.argument}: ${i.message}`).join("\n")}`,
    { details: { where, type, issues } },
  );
}

/**
 * Expectations (as `validateDataset` takes them) with their `$PARAMETER` kwargs replaced;
 * a ConfigError names the expectation and the argument.
 */
export function substituteExpectationParameters(
  expectations: readonly ExpectationConfig[],
  parameters: SuiteParameters,
  now: Date,
): ExpectationConfig[] {
  return expectations.map((e, i) => {
    const kwargs = e?.kwargs;
    if (typeof kwargs !== "object" || kwargs === null || !hasSuiteParameters(kwargs)) return e;
    try {
      return { ...e, kwargs: substituteSuiteParameters(kwargs, parameters, now) };
    } catch (error) {
      if (!(error instanceof SuiteParameterError)) throw error;
      throw new ConfigError(`expectations[${i}] (${e.type}): ${error.message}`, {
        details: { expectation: i, type: e.type, ...(error.unknown ? { parameter: error.unknown } : {}) },
      });
    }
  });
}
