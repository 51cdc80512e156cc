import type { Field } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";

/**
 * Each column's type as the engine itself names it (`INTEGER`, `DOUBLE`, `double precision`,
 * `character varying`, `DECIMAL(10,2)`…), which the type expectations report and match
 * (`expectations/type-names.ts`). One statement over zero rows: the type of a scalar subquery
 * is its column's type even when it returns no row, so nothing is read.
 */
export async function engineTypeNames(
  engine: Engine,
  from: string,
  fields: readonly Field[],
): Promise<Map<string, string>> {
  if (fields.length === 0) return new Map();
  const d = engine.dialect;
  const sql = EXPECTATION_SQL[engine.kind];
  const selects = fields.map(
    (f, i) =>
      `${sql.typeName(`(SELECT ${d.quoteIdent(f.name)} FROM ${from} LIMIT 0)`)} AS ${d.quoteIdent(`t${i}`)}`,
  );
  const [row] = await engine.query(`SELECT ${selects.join(", ")}`);
  return new Map(fields.map((f, i) => [f.name, String(row?.[`t${i}`] ?? "")]));
}
