import { parseDuration } from "../core/duration.js";
import { ConfigError } from "../core/errors.js";
import type { Engine } from "../engines/engine.js";
import { type CheckTarget, fromSql } from "./suite-target.js";

export interface FreshnessRule {
  /** A timestamp, timestamptz or date column (or text holding one). */
  column: string;
  /** How old the newest value may be: "90s", "30m", "24h", "7d", "1d12h". */
  maxAge: string;
}

export interface FreshnessResult {
  column: string;
  success: boolean;
  /** The newest value as an ISO instant; null for an empty table or an all-NULL column. */
  newest: string | null;
  /** now − newest, in ms; null when there is no newest value. */
  ageMs: number | null;
  maxAgeMs: number;
  maxAge: string;
  /** The instant "now" was taken as. */
  now: string;
  message: string;
}

/** The compact notation suites document ("24h", "1d12h"): no spelled-out units such as "1 day". */
const COMPACT_DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

/**
 * Parses a freshness `maxAge` such as "24h", "90m", "7d" or "1d12h" into milliseconds with
 * `parseDuration`, accepting only the compact notation suites document.
 *
 * @example
 * parseMaxAge("1d12h"); // 129_600_000
 */
export function parseMaxAge(text: string): number {
  if (!COMPACT_DURATION.test(text.replace(/\s/g, ""))) {
    throw new ConfigError(
      `invalid duration "${text}": expected a number and a unit (ms, s, m, h, d, w), e.g. "24h" or "1d12h"`,
      { details: { value: text } },
    );
  }
  return parseDuration(text, "freshness maxAge");
}

/**
 * Whether the newest `column` value of the target lies within `maxAge` of `now`. One
 * `MAX()` query in the engine.
 *
 * @example
 * await checkFreshness(engine, { name: "orders" }, { column: "updated_at", maxAge: "24h" });
 */
export async function checkFreshness(
  engine: Engine,
  target: CheckTarget,
  rule: FreshnessRule,
  now: Date = new Date(),
): Promise<FreshnessResult> {
  const [row] = await engine.query<{ newest: unknown }>(
    `SELECT ${freshnessSql(engine, rule)} AS ${engine.dialect.quoteIdent("newest")} FROM ${fromSql(engine, target)}`,
  );
  return judgeFreshness(rule, row?.newest, now);
}

/** The aggregate freshness reads, for callers that fold it into a scan of their own. */
export function freshnessSql(engine: Engine, rule: FreshnessRule): string {
  return `MAX(${engine.dialect.quoteIdent(rule.column)})`;
}

/** Judges the newest value (as the engine returned `freshnessSql`) against `now`. */
export function judgeFreshness(rule: FreshnessRule, newestValue: unknown, now: Date): FreshnessResult {
  const maxAgeMs = parseMaxAge(rule.maxAge);
  const newest = toInstant(newestValue);
  const base = { column: rule.column, maxAgeMs, maxAge: rule.maxAge, now: now.toISOString() };
  if (newest === undefined) {
    return {
      ...base,
      success: false,
      newest: null,
      ageMs: null,
      message: `freshness(${rule.column}): no values, so nothing is newer than ${rule.maxAge}`,
    };
  }
  const ageMs = now.getTime() - newest.getTime();
  return {
    ...base,
    success: ageMs <= maxAgeMs,
    newest: newest.toISOString(),
    ageMs,
    message:
      ageMs < 0
        ? `freshness(${rule.column}): newest ${newest.toISOString()} is in the future of ${now.toISOString()}`
        : `freshness(${rule.column}): newest ${newest.toISOString()} is ${formatAge(ageMs)} old (max ${rule.maxAge})`,
  };
}

/** Engines hand timestamps back as text without a zone (UTC by weir's convention), with one, or as dates. */
function toInstant(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value;
  let text = String(value).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += "T00:00:00Z";
  text = text.replace(" ", "T");
  if (/[+-]\d{2}$/.test(text)) text += ":00";
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(text)) text += "Z";
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new ConfigError(`freshness: the newest value ${JSON.stringify(String(value))} is not a timestamp`, {
      details: { value: String(value) },
    });
  }
  return date;
}

function formatAge(ms: number): string {
  if (ms >= 86_400_000) return `${(ms / 86_400_000).toFixed(1)}d`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)}m`;
  return `${(ms / 1000).toFixed(0)}s`;
}
