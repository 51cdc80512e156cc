import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { sqlTypeName } from "../model/column-types.js";
import type { DimensionModel } from "../model/define-dimension.js";
import { rowHashSql } from "./row-hash-sql.js";
import { STAGE, type StagedSnapshot } from "./snapshot-stage.js";
import { insertNewRowsSql } from "./surrogate-keys-sql.js";

/** What a type 2 merge changed. */
export interface Type2Counts {
  changed: number;
  closed: number;
  reopened: number;
  scd1Updated: number;
  versionsInserted: number;
}

/**
 * The type 2 merge of a staged snapshot, as set-based statements in the caller's
 * transaction (each reads the stage, which already knows every key's current version):
 *
 * 1. SCD1 columns: every version of a key whose SCD1 values differ from the snapshot's is
 *    overwritten (the keys with a current version that differs, and the keys without one,
 *    whose closed versions may differ);
 * 2. changed keys: the current version is closed (`expiry` = the new version's effective
 *    date, `is_current` false), found by surrogate key;
 * 3. hard deletes (`hardDeletes: "invalidate"`): current versions whose key is not in the
 *    snapshot are closed at the as-of date;
 * 4. keys that came back after being closed by a hard delete are counted (they get a new
 *    version, like changed and new keys): keys without a current version that have a
 *    closed one (a semi-join with the closed versions only, empty on a first load);
 * 5. new versions for changed, new and returning keys, with new surrogate keys and the md5
 *    of their tracked columns in the hash column.
 *
 * The unknown member is never touched. No statement updates an indexed column (DuckDB
 * rewrites such an update as a delete and an insert), unless a user index names an SCD1
 * column.
 */
export async function mergeType2(
  tx: Engine,
  dim: DimensionModel,
  dimTable: TableRef,
  stage: StagedSnapshot,
  asOf: string,
): Promise<Type2Counts> {
  const d = tx.dialect;
  const q = (name: string) => d.quoteIdent(name);
  const target = `${d.quoteTable(dimTable)} AS d`;
  const staged = `${d.quoteTable(stage.table)} AS s`;
  const sk = `d.${q(dim.surrogateKey)}`;
  const validity = sqlTypeName(tx.kind, dim.validity.type);
  const asOfValue = `CAST($1 AS ${validity})`;
  // The new version's effective time, which is also the expiry of the version it replaces.
  const effective = dim.effectiveFrom
    ? `coalesce(CAST(s.${q(dim.effectiveFrom.column)} AS ${validity}), ${asOfValue})`
    : asOfValue;
  const notUnknown = dim.unknownMember ? ` AND ${sk} <> ${d.quoteLiteral(dim.unknownMember.key)}` : "";
  const keyJoin = dim.naturalKey.map((k) => `d.${q(k)} = s.${q(k)}`).join(" AND ");
  const current = `d.${q(dim.validity.current)}`;
  const typeOf = new Map(dim.attributes.map((a) => [a.name, a.type]));
  const close = `${q(dim.validity.to)} = ${effective}, ${q(dim.validity.current)} = FALSE`;

  let scd1Updated = 0;
  if (dim.scd1.length > 0) {
    scd1Updated = await tx.run(
      `UPDATE ${target} SET ${dim.scd1.map((c) => `${q(c)} = s.${q(c)}`).join(", ")}
       FROM ${staged}
       WHERE (s.${q(STAGE.scd1Changed)} OR s.${q(STAGE.currentKey)} IS NULL) AND ${keyJoin}${notUnknown}
         AND (${dim.scd1.map((c) => `d.${q(c)} IS DISTINCT FROM s.${q(c)}`).join(" OR ")})`,
    );
  }

  const changed =
    stage.changed === 0
      ? 0
      : await tx.run(
          `UPDATE ${target} SET ${close} FROM ${staged}
           WHERE s.${q(STAGE.changed)} AND ${sk} = s.${q(STAGE.currentKey)}`,
          [asOf],
        );

  let closed = 0;
  if (dim.hardDeletes === "invalidate") {
    // The stage holds the surrogate key of every current version whose key is in the
    // snapshot: the others are the vanished keys (an anti-join on a BIGINT).
    closed = await tx.run(
      `UPDATE ${target} SET ${q(dim.validity.to)} = ${asOfValue}, ${q(dim.validity.current)} = FALSE
       WHERE ${current}${notUnknown} AND ${notInStageSql(tx, sk, d.quoteTable(stage.table))}`,
      [asOf],
    );
  }

  let reopened = 0;
  if (stage.absent > 0) {
    // A join with the distinct keys of closed versions: few, and none on a first load.
    const closedKeys = dim.naturalKey.map((k) => `d.${q(k)}`).join(", ");
    const [row] = await tx.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM ${staged}
       JOIN (SELECT DISTINCT ${closedKeys} FROM ${target} WHERE NOT ${current}${notUnknown}) AS d ON ${keyJoin}
       WHERE s.${q(STAGE.currentKey)} IS NULL`,
    );
    reopened = Number(row!.n);
  }

  const versionsInserted =
    stage.absent + stage.changed === 0
      ? 0
      : await tx.run(
          insertNewRowsSql(tx, dim, dimTable, stage.table, {
            where: `s.${q(STAGE.currentKey)} IS NULL OR s.${q(STAGE.changed)}`,
            bookkeeping: [
              [dim.validity.from, effective],
              [dim.validity.to, `CAST(NULL AS ${validity})`],
              [dim.validity.current, "TRUE"],
              [
                dim.hashColumn,
                rowHashSql(
                  tx.kind,
                  dim.tracked.map((c) => ({ sql: `s.${q(c)}`, type: typeOf.get(c)! })),
                ),
              ],
            ],
          }),
          [asOf],
        );

  return { changed, closed, reopened, scd1Updated, versionsInserted };
}

/**
 * `sk` is not the current key of any staged row: the current versions whose key vanished.
 * PostgreSQL plans NOT EXISTS as a hash anti-join (its NOT IN over a large subquery is a
 * nested loop); DuckDB runs NOT IN over a non-NULL column as an anti-join about three times
 * faster than its decorrelated NOT EXISTS.
 */
function notInStageSql(tx: Engine, sk: string, stage: string): string {
  const key = tx.dialect.quoteIdent(STAGE.currentKey);
  return tx.kind === "postgres"
    ? `NOT EXISTS (SELECT 1 FROM ${stage} AS s WHERE s.${key} = ${sk})`
    : `${sk} NOT IN (SELECT ${key} FROM ${stage} WHERE ${key} IS NOT NULL)`;
}
