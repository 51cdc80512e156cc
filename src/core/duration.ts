import { ConfigError } from "./errors.js";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const UNIT_ALIASES: Readonly<Record<string, string>> = {
  ms: "ms",
  msec: "ms",
  msecs: "ms",
  millisecond: "ms",
  milliseconds: "ms",
  s: "s",
  sec: "s",
  secs: "s",
  second: "s",
  seconds: "s",
  m: "m",
  min: "m",
  mins: "m",
  minute: "m",
  minutes: "m",
  h: "h",
  hr: "h",
  hrs: "h",
  hour: "h",
  hours: "h",
  d: "d",
  day: "d",
  days: "d",
  w: "w",
  week: "w",
  weeks: "w",
};

const ORDER = ["w", "d", "h", "m", "s", "ms"];
const TOKEN_RE = /(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*/gy;
const ISO_RE =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const EXPECTED = `expected milliseconds as a number or a string such as "500ms", "30s", "5m", "1h30m", "2d" or "PT5M"`;

/**
 * Reads a duration as milliseconds: a non-negative number is milliseconds already; a string
 * is a sequence of amounts with units from largest to smallest (`"1h30m"`, `"2d"`,
 * `"500ms"`, `"1.5h"`, `"10 minutes"`) or an ISO 8601 duration without years and months
 * (`"PT5M"`, `"P1DT2H"`). `what` names the setting in the error, e.g.
 * `task "load" retryDelay`.
 *
 * @example
 * parseDuration("1h30m"); // 5_400_000
 * parseDuration(250);     // 250
 * parseDuration("5x", 'task "load" timeout'); // ConfigError: invalid duration "5x" for task "load" timeout: unknown unit "x"; expected …
 */
export function parseDuration(value: string | number, what = "duration"): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      throw durationError(value, what, "must be a finite number of milliseconds, at least 0");
    }
    return value;
  }
  if (typeof value !== "string")
    throw durationError(value, what, `got ${value === null ? "null" : typeof value}`);
  const text = value.trim();
  if (text === "") throw durationError(value, what, "it is empty");
  if (/^\d+(\.\d+)?$/.test(text)) {
    throw durationError(
      value,
      what,
      `no unit: write "${text}ms", "${text}s" or pass the number ${text} for milliseconds`,
    );
  }
  if (text.startsWith("-")) throw durationError(value, what, "durations cannot be negative");
  if (/^p/i.test(text)) return parseIso(text, value, what);
  let total = 0;
  let lastRank = -1;
  TOKEN_RE.lastIndex = 0;
  for (;;) {
    const start = TOKEN_RE.lastIndex;
    if (start === text.length) break;
    const match = TOKEN_RE.exec(text);
    if (!match) throw durationError(value, what, `cannot read "${text.slice(start)}"`);
    // Single letters are case-sensitive: "M" could mean months, which a duration cannot hold.
    const word = match[2] as string;
    const unit = UNIT_ALIASES[word.length > 1 ? word.toLowerCase() : word];
    if (unit === undefined) throw durationError(value, what, `unknown unit "${match[2]}"`);
    const rank = ORDER.indexOf(unit);
    if (rank <= lastRank)
      throw durationError(value, what, `units must go from largest to smallest, each once`);
    lastRank = rank;
    total += Number(match[1]) * (UNIT_MS[unit] as number);
  }
  return Math.round(total);
}

function parseIso(text: string, original: string, what: string): number {
  const m = ISO_RE.exec(text);
  if (!m || text.toUpperCase() === "P" || text.toUpperCase().endsWith("T")) {
    throw durationError(
      original,
      what,
      "not an ISO 8601 duration of weeks, days, hours, minutes and seconds",
    );
  }
  const [, w, d, h, min, s] = m;
  const part = (amount: string | undefined, unit: string) =>
    amount ? Number(amount) * (UNIT_MS[unit] as number) : 0;
  return Math.round(part(w, "w") + part(d, "d") + part(h, "h") + part(min, "m") + part(s, "s"));
}

function durationError(value: unknown, what: string, problem: string): ConfigError {
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  return new ConfigError(`invalid duration ${shown} for ${what}: ${problem}; ${EXPECTED}`, {
    details: { value, setting: what },
  });
}

/**
 * Formats milliseconds the way `parseDuration` reads them: `5_400_000` → "1h30m",
 * `1500` → "1s500ms", `0` → "0ms". Whole days are the largest unit (weeks read worse in logs).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let rest = Math.round(Math.abs(ms));
  const parts: string[] = [];
  for (const unit of ["d", "h", "m", "s", "ms"]) {
    const size = UNIT_MS[unit] as number;
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount}${unit}`);
    rest -= amount * size;
  }
  return (ms < 0 ? "-" : "") + (parts.join("") || "0ms");
}

/**
 * Formats elapsed milliseconds for people: "850 ms", "2.4 s", "3 min 5 s", "5 min",
 * "2 h 5 min". The value is rounded at the smallest unit shown first and split after, so
 * 4 min 59.6 s reads "5 min", never "4 min 60 s". (`formatDuration` writes the
 * parseable form, for settings and messages that quote them.)
 *
 * @example
 * formatElapsed(299_600); // "5 min"
 */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatElapsed(-ms)}`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) {
    const s = seconds % 60;
    return `${Math.floor(seconds / 60)} min${s > 0 ? ` ${s} s` : ""}`;
  }
  const minutes = Math.round(ms / 60_000);
  const m = minutes % 60;
  return `${Math.floor(minutes / 60)} h${m > 0 ? ` ${m} min` : ""}`;
}
