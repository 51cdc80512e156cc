import type { EngineKind } from "../engines/engine.js";

/**
 * The few SQL functions quality checks need whose spelling differs between engines,
 * kept as data (one row per engine) rather than `if (postgres)` branches.
 */
export interface QualitySql {
  /** True when the whole text `value` matches `pattern` (both SQL expressions). */
  fullMatch(value: string, pattern: string): string;
  /** A JSON object of the given quoted columns, keyed by the (literal) names. */
  jsonObject(pairs: readonly { key: string; value: string }[]): string;
}

export const QUALITY_SQL: Record<EngineKind, QualitySql> = {
  duckdb: {
    fullMatch: (value, pattern) => `regexp_full_match(${value}, ${pattern})`,
    jsonObject: (pairs) => `json_object(${pairs.map((p) => `${p.key}, ${p.value}`).join(", ")})`,
  },
  postgres: {
    fullMatch: (value, pattern) => `(${value} ~ ('^(?:' || ${pattern} || ')$'))`,
    jsonObject: (pairs) => `json_build_object(${pairs.map((p) => `${p.key}, ${p.value}`).join(", ")})`,
  },
};
