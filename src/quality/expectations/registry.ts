import type { ExpectationConfig, ExpectationKind } from "./expectation.js";

// API published early for the suites/actions helper; the implementation follows.

/** Every expectation type weir knows, sorted. */
export function expectationTypes(): string[] {
  return [];
}

/** The kind of an expectation type, or undefined for an unknown type. */
export function expectationKind(_type: string): ExpectationKind | undefined {
  return undefined;
}

/**
 * Validates one expectation (its type and kwargs, per type) and returns it normalised.
 * Throws a ConfigError naming `where` (e.g. `suite.yml expectations[3]`), the type and the
 * bad argument; an unknown type lists the closest known names.
 */
export function parseExpectation(config: unknown, _where?: string): ExpectationConfig {
  return config as ExpectationConfig;
}
