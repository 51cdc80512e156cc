import type { Engine } from "../engines/engine.js";
import type { CompiledExpectation, CompiledSuite } from "./compile-expectations.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { toCount } from "./expectations/result-values.js";
import { failingRowTest, findsFirstRowsByBlockRange } from "./main-scan.js";
import { collectedSql } from "./row-collection.js";

/** Blocks read by the first range (about 30,000 rows of a narrow table); each next range is 4× wider. */
const FIRST_RANGE_BLOCKS = 512;
const GROWTH = 4;

/**
 * After a PostgreSQL main scan that only counted (so it could run in parallel), the first
 * failing rows of the expectations that had any, in row order (`ctid`): block ranges from the
 * start of the table, each 4× wider than the last, are read (a TID range scan) until every
 * expectation has the rows its format wants or as many as it has. Failing rows are usually
 * found in the first range; rows that fail rarely cost at most one more pass over the table,
 * evaluating only those expectations' tests. The rows are filed where the scan would have put
 * them (`sample`, one array of texts per row).
 */
export async function findFirstRowsByBlockRange(
  engine: Engine,
  suite: CompiledSuite,
  values: Map<number, Record<string, unknown>>,
): Promise<number> {
  const sql = EXPECTATION_SQL[engine.kind];
  const wanted: { item: CompiledExpectation; v: Record<string, unknown>; need: number; rows: unknown[] }[] =
    [];
  for (const item of suite.items) {
    const v = values.get(item.index);
    if (!v || v.unexpected === undefined || !findsFirstRowsByBlockRange(engine, suite, item)) continue;
    v.sample = null;
    v.sampleLayout = "rows";
    const need = Math.min(item.collect!.n, toCount(v.unexpected));
    if (need > 0) wanted.push({ item, v, need, rows: [] });
  }
  if (wanted.length === 0) return 0;

  const [size] = await engine.query<{ blocks: unknown }>(
    sql.tableBlocks(engine.dialect.quoteLiteral(suite.from)),
  );
  const blocks = toCount(size?.blocks);
  const rowName = engine.dialect.quoteIdent(suite.names.column("row"));
  let passes = 0;
  let pending = wanted;
  for (let start = 0, width = FIRST_RANGE_BLOCKS; pending.length > 0; start += width, width *= GROWTH) {
    // The last range is open-ended: the table may have grown since its size was read.
    const end = start + width >= blocks ? undefined : start + width;
    const range = sql.blockRange(suite.from, rowName, start, end);
    const selects = pending.map(
      ({ item }, i) =>
        `${sql.firstRowsJson(collectedSql(item.collect!), rowName, failingRowTest(item)!, item.collect!.n)} AS "r${i}"`,
    );
    const [row = {}] = await engine.query(`SELECT ${selects.join(",\n  ")}\nFROM ${range}`);
    passes++;
    for (const [i, w] of pending.entries()) {
      const json = row[`r${i}`];
      if (json === null || json === undefined) continue;
      const found = (typeof json === "string" ? JSON.parse(json) : json) as unknown[];
      w.rows.push(...found.slice(0, w.need - w.rows.length));
    }
    pending = pending.filter((w) => w.rows.length < w.need);
    if (end === undefined) break;
  }
  for (const w of wanted) w.v.sample = w.rows;
  return passes;
}
