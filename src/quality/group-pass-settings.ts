import type { Engine } from "../engines/engine.js";
import type { GroupQuery } from "./compile-expectations.js";
import { denseKeySettings } from "./dense-key-grouping.js";

/**
 * Engine settings for one GROUP BY pass, or undefined for the engine's own plan:
 *
 * - DuckDB: a dense integer key is grouped in an array (`dense-key-grouping.ts`).
 * - PostgreSQL: a uniqueness pass (only groups of more than one row are kept) groups a key
 *   that is nearly unique, so there are about as many groups as rows. The planner picks a
 *   serial hash aggregate, which spills past `work_mem`; with hash aggregation off it sorts
 *   in parallel workers and merges, about twice as fast at 1M rows (bench/quality.ts).
 */
export async function groupPassSettings(
  engine: Engine,
  group: GroupQuery,
  range: { keyLo?: unknown; keyHi?: unknown },
  rows: number,
): Promise<Record<string, number | boolean> | undefined> {
  if (engine.kind === "postgres" && group.duplicatesOnly && engine.queryWithSettings)
    return { enable_hashagg: false };
  return denseKeySettings(engine, range, rows);
}
