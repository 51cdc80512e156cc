import { ConfigError } from "../core/errors.js";
import type { Suite } from "./suite.js";

/**
 * Points a `ConfigError` about one expectation that only showed when the suite ran (its
 * `details.expectation` index, and `details.argument` when one kwarg is at fault — a bound
 * that does not fit its column's type) at where the suite file writes it. Other errors,
 * and suites not read from a file, are returned unchanged.
 *
 * @example
 * throw locateSuiteError(error, suite); // "customers.suite.yaml:7:40: expectations[1] (…): …"
 */
export function locateSuiteError(error: unknown, suite: Suite): unknown {
  if (!(error instanceof ConfigError)) return error;
  const index = error.details.expectation;
  const location = typeof index === "number" ? suite.expectations[index]?.location : undefined;
  if (location === undefined) return error;
  const argument = error.details.argument;
  const position =
    (typeof argument === "string" ? location.kwargs[argument] : undefined) ?? location.expectation;
  return new ConfigError(`${position}: ${error.message}`, {
    cause: error.cause,
    details: { ...error.details, suite: suite.name, position },
  });
}
