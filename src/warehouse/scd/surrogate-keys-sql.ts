import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { DimensionModel } from "../model/define-dimension.js";

/**
 * `INSERT … SELECT` of the staged rows matching `where` (the stage is aliased `s`) as new
 * rows of the dimension, with new surrogate keys: the largest key so far (at least 0, so a
 * negative unknown member never counts) plus the row's number in natural-key order. Keys
 * are never reused, and the same snapshots give the same keys on every engine: text keys
 * are ordered bytewise (`COLLATE "C"` on PostgreSQL; DuckDB's default), UUIDs as bytes on
 * both.
 */
export function insertNewRowsSql(
  tx: Engine,
  dim: DimensionModel,
  dimTable: TableRef,
  stage: TableRef,
  rows: { where: string; bookkeeping: [column: string, sql: string][] },
): string {
  const d = tx.dialect;
  const q = (name: string) => d.quoteIdent(name);
  const typeOf = new Map(dim.attributes.map((a) => [a.name, a.type]));
  const order = dim.naturalKey
    .map((k) => `s.${q(k)}${tx.kind === "postgres" && typeOf.get(k) === "varchar" ? ' COLLATE "C"' : ""}`)
    .join(", ");
  const attributes = dim.attributes.map((a) => a.name);
  const columns = [dim.surrogateKey, ...attributes, ...rows.bookkeeping.map(([c]) => c)];
  const values = [
    `m.base + row_number() OVER (ORDER BY ${order})`,
    ...attributes.map((a) => `s.${q(a)}`),
    ...rows.bookkeeping.map(([, sql]) => sql),
  ];
  return `INSERT INTO ${d.quoteTable(dimTable)} (${columns.map(q).join(", ")})
    SELECT ${values.join(", ")}
    FROM ${d.quoteTable(stage)} AS s
    CROSS JOIN (SELECT greatest(coalesce(max(${q(dim.surrogateKey)}), 0), 0) AS base FROM ${d.quoteTable(dimTable)}) AS m
    WHERE ${rows.where}`;
}
