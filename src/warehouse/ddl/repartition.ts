import { tableLabel } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { sqlTypeName } from "../model/column-types.js";
import { boundedName, createIndexStatement, createTableStatement } from "./create-table-sql.js";
import { ensurePartitions } from "./fact-partitions.js";
import type { CatalogTable } from "./introspect.js";
import type { PlanStep } from "./plan-step.js";
import type { TableDefinition } from "./table-definition.js";

/**
 * A PostgreSQL table partitioned otherwise than its model says (or not at all) cannot be
 * changed in place: in one transaction its rows are copied aside, the table is dropped and
 * created as declared, the partitions its rows need are created, the rows are copied back
 * (the model's columns that were there, cast to their declared types) and the copy dropped.
 * Destructive: columns the model no longer has are lost, and the table is rewritten.
 */
export function repartitionStep(engine: Engine, def: TableDefinition, catalog: CatalogTable): PlanStep {
  const d = engine.dialect;
  const target = { schema: catalog.schema, name: def.table.name };
  const copy = { schema: catalog.schema, name: boundedName(`${def.table.name}_weir_copy`) };
  const present = new Set(catalog.columns.map((c) => c.name));
  const common = def.columns.filter((c) => present.has(c.name));
  const casts = common.map((c) => `CAST(${d.quoteIdent(c.name)} AS ${sqlTypeName(engine.kind, c.type)})`);
  const before = [
    `CREATE TABLE ${d.quoteTable(copy)} AS SELECT * FROM ${d.quoteTable(target)}`,
    `DROP TABLE ${d.quoteTable(target)}`,
    createTableStatement(engine, def, target),
  ];
  const after = [
    `INSERT INTO ${d.quoteTable(target)} (${common.map((c) => d.quoteIdent(c.name)).join(", ")}) SELECT ${casts.join(", ")} FROM ${d.quoteTable(copy)}`,
    `DROP TABLE ${d.quoteTable(copy)}`,
    ...def.indexes.map((cols) => createIndexStatement(engine, target, cols)),
  ];
  const want = def.partitioning
    ? `by ${def.partitioning.granularity} of ${def.partitioning.column}`
    : "not partitioned";
  const dropped = catalog.columns
    .filter((c) => !def.columns.some((m) => m.name === c.name))
    .map((c) => c.name);
  return {
    table: tableLabel(def.table),
    kind: "change-partitioning",
    sql: [...before, ...after],
    destructive: true,
    reason: `table is ${catalog.partitionColumn ? `partitioned by ${catalog.partitionColumn}` : "not partitioned"}, declared ${want}: it is rebuilt (rows copied aside and back, partitions created for them)${dropped.length > 0 ? `; columns ${dropped.join(", ")} are lost` : ""}`,
    run: (engine) =>
      engine.transaction(async (tx) => {
        for (const sql of before) await tx.run(sql);
        if (def.partitioning) {
          const column = d.quoteIdent(def.partitioning.column);
          const rows = await tx.query<{ v: number | string }>(
            `SELECT DISTINCT CAST(${column} AS text) AS v FROM ${d.quoteTable(copy)} WHERE ${column} IS NOT NULL`,
          );
          await ensurePartitions(
            tx,
            { ...def, table: target },
            rows.map((r) => r.v),
          );
        }
        for (const sql of after) await tx.run(sql);
      }),
  };
}
