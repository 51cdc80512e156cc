import type { Engine } from "../engines/engine.js";
import type { GroupQuery } from "./compile-expectations.js";
import { toBigInt } from "./expectations/result-values.js";

/**
 * DuckDB groups an integer key whose range it knows from column statistics in a "perfect
 * hash" table — an array indexed by value − min — instead of a hash table, but only for
 * ranges up to 2^`perfect_ht_threshold` values (default 2^12). Uniqueness of a dense id
 * column (surrogate keys, the usual case) groups millions of values; with the threshold
 * raised for that one statement the pass takes about half the time and less memory than
 * the hash table (bench/quality.ts). The array holds one slot per possible value in every
 * thread, so the threshold is raised only for a dense range (at most {@link SLOTS_PER_ROW}
 * slots per row) whose arrays, over all threads, stay within {@link MAX_SLOTS}.
 */

/** Above this many possible values per row the range is too sparse for an array. */
const SLOTS_PER_ROW = 4n;
/** All threads' arrays together (about 10 bytes a slot): 2^26 slots ≈ 700 MB. */
const MAX_SLOTS = 2n ** 26n;
/** DuckDB's default threshold: below it nothing needs changing. */
const DEFAULT_BITS = 12;

/** Whether a GROUP BY pass could use the array: DuckDB, one integer key. */
export function denseKeyCandidate(engine: Engine, group: Pick<GroupQuery, "keys">): boolean {
  const [key, ...rest] = group.keys;
  return (
    engine.kind === "duckdb" &&
    engine.queryWithSettings !== undefined &&
    rest.length === 0 &&
    (key?.type === "integer" || key?.type === "bigint")
  );
}

/** The main-scan aggregates the decision needs: the key's min and max over all rows. */
export function keyRangeSelects(group: Pick<GroupQuery, "keys">): { keyLo: string; keyHi: string } {
  const key = group.keys[0]!.sql;
  return { keyLo: `min(${key})`, keyHi: `max(${key})` };
}

/** The settings for the pass, or undefined when the default plan is the right one. */
export async function denseKeySettings(
  engine: Engine,
  range: { keyLo?: unknown; keyHi?: unknown },
  rows: number,
): Promise<Record<string, number> | undefined> {
  const lo = toBigInt(range.keyLo ?? null);
  const hi = toBigInt(range.keyHi ?? null);
  if (lo === null || hi === null) return undefined;
  // One more value than the range for NULL, which the array keeps a slot for.
  const bits = (hi - lo + 2n).toString(2).length;
  if (bits <= DEFAULT_BITS) return undefined;
  const slots = 2n ** BigInt(bits);
  if (slots > SLOTS_PER_ROW * BigInt(Math.max(rows, 1))) return undefined;
  const [row] = await engine.query<{ t: unknown }>("SELECT current_setting('threads') AS t");
  const threads = BigInt(Number(row?.t ?? 1) || 1);
  if (slots * (threads + 1n) > MAX_SLOTS) return undefined;
  return { perfect_ht_threshold: bits };
}
