import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { DimensionModel } from "../model/define-dimension.js";
import { STAGE, type StagedSnapshot } from "./snapshot-stage.js";
import { insertNewRowsSql } from "./surrogate-keys-sql.js";

/**
 * The type 1 upsert of a staged snapshot, in the caller's transaction: keys whose row
 * differs get every attribute overwritten in place (found by surrogate key, which the stage
 * holds), new keys are inserted with new surrogate keys. Keys missing from the snapshot are
 * kept (a type 1 dimension ignores hard deletes); the unknown member is never touched.
 */
export async function upsertType1(
  tx: Engine,
  dim: DimensionModel,
  dimTable: TableRef,
  stage: StagedSnapshot,
): Promise<{ updated: number; inserted: number }> {
  const d = tx.dialect;
  const q = (name: string) => d.quoteIdent(name);
  const attributes = dim.attributes.map((a) => a.name).filter((a) => !dim.naturalKey.includes(a));
  const updated =
    stage.changed === 0 || attributes.length === 0
      ? 0
      : await tx.run(
          `UPDATE ${d.quoteTable(dimTable)} AS d SET ${attributes.map((c) => `${q(c)} = s.${q(c)}`).join(", ")}
           FROM ${d.quoteTable(stage.table)} AS s
           WHERE s.${q(STAGE.changed)} AND d.${q(dim.surrogateKey)} = s.${q(STAGE.currentKey)}`,
        );
  const inserted =
    stage.absent === 0
      ? 0
      : await tx.run(
          insertNewRowsSql(tx, dim, dimTable, stage.table, {
            where: `s.${q(STAGE.currentKey)} IS NULL`,
            bookkeeping: [],
          }),
        );
  return { updated, inserted };
}
