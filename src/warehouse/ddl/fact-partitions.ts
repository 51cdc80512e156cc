import { WeirError } from "../../core/errors.js";
import { tableLabel } from "../../core/types.js";
import { lostCreateRace } from "../../engines/create-race.js";
import type { Engine } from "../../engines/engine.js";
import { boundedName } from "./create-table-sql.js";
import { defaultSchema } from "./introspect.js";
import type { TableDefinition } from "./table-definition.js";

/** One RANGE partition: `[from, to)` of the partition column. */
export interface PartitionRange {
  name: string;
  /** `yyyymm` or `yyyymmdd`. */
  period: string;
  from: number | string;
  to: number | string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `<table>_pYYYYMM` / `<table>_pYYYYMMDD`, kept within 63 bytes. */
export function partitionName(table: string, period: string): string {
  return boundedName(`${table}_p${period}`);
}

/** A value of the partition column as a UTC calendar day: a yyyymmdd integer or an ISO date(time). */
function dayOf(value: number | string, table: string): { y: number; m: number; d: number } {
  const text = String(value).trim();
  let match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  match ??= /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (!match || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new WeirError(
      "WAREHOUSE_LOAD_FAILED",
      `cannot partition ${table}: ${JSON.stringify(value)} is not a yyyymmdd key nor a yyyy-mm-dd date`,
      { details: { table, value } },
    );
  }
  return { y, m, d };
}

/**
 * The partitions `values` fall in, one per month (or day), deduplicated and sorted: bounds
 * as yyyymmdd integers for an integer column, ISO dates for a date column.
 */
export function partitionRanges(
  def: TableDefinition,
  values: readonly (number | string)[],
): PartitionRange[] {
  const p = def.partitioning;
  if (!p) return [];
  const column = def.columns.find((c) => c.name === p.column);
  const asDate = column?.type === "date";
  const label = tableLabel(def.table);
  const ranges = new Map<string, PartitionRange>();
  for (const value of values) {
    const { y, m, d } = dayOf(value, label);
    const start =
      p.granularity === "month" ? new Date(Date.UTC(y, m - 1, 1)) : new Date(Date.UTC(y, m - 1, d));
    const end = p.granularity === "month" ? new Date(Date.UTC(y, m, 1)) : new Date(Date.UTC(y, m - 1, d + 1));
    const period = `${y}${pad(m)}${p.granularity === "day" ? pad(d) : ""}`;
    if (ranges.has(period)) continue;
    const bound = (t: Date) => {
      const [yy, mm, dd] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
      return asDate ? `${pad(yy, 4)}-${pad(mm)}-${pad(dd)}` : yy * 10000 + mm * 100 + dd;
    };
    ranges.set(period, {
      name: partitionName(def.table.name, period),
      period,
      from: bound(start),
      to: bound(end),
    });
  }
  return [...ranges.values()].sort((a, b) => a.period.localeCompare(b.period));
}

/** Names of the existing partitions of a PostgreSQL table. */
async function partitionsOf(engine: Engine, schema: string, table: string): Promise<Set<string>> {
  const rows = await engine.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE n.nspname = $1 AND p.relname = $2`,
    [schema, table],
  );
  return new Set(rows.map((r) => r.name));
}

/** Tries a partition creation this many times while it loses races. */
const ATTEMPTS = 6;

/**
 * Creates the RANGE partitions of a partitioned fact (PostgreSQL) that `values` of its
 * partition column need and that do not exist yet; returns the names created. No-op for a
 * table without partitioning (DuckDB, or an unpartitioned fact). Indexes declared on the
 * parent are created on each new partition by PostgreSQL.
 *
 * Race-safe: two loads creating the same partition at once both succeed. Each creation runs
 * under a savepoint (in the caller's transaction when `engine` is bound to one); a failure
 * after which the partition exists (a duplicate name, or an overlap with the partition the
 * other session just attached) counts as done.
 */
export async function ensurePartitions(
  engine: Engine,
  def: TableDefinition,
  values: readonly (number | string)[],
): Promise<string[]> {
  if (engine.kind !== "postgres" || !def.partitioning || values.length === 0) return [];
  const ranges = partitionRanges(def, values);
  const schema = def.table.schema ?? (await defaultSchema(engine));
  const existing = await partitionsOf(engine, schema, def.table.name);
  const d = engine.dialect;
  const created: string[] = [];
  for (const range of ranges) {
    if (existing.has(range.name)) continue;
    const sql = `CREATE TABLE IF NOT EXISTS ${d.quoteTable({ schema, name: range.name })} PARTITION OF ${d.quoteTable({ schema, name: def.table.name })} FOR VALUES FROM (${d.quoteLiteral(range.from)}) TO (${d.quoteLiteral(range.to)})`;
    await engine.transaction(async (tx) => {
      for (let attempt = 1; ; attempt++) {
        await tx.run("SAVEPOINT weir_partition");
        try {
          await tx.run(sql);
          await tx.run("RELEASE SAVEPOINT weir_partition");
          created.push(range.name);
          return;
        } catch (error) {
          await tx.run("ROLLBACK TO SAVEPOINT weir_partition");
          if ((await partitionsOf(tx, schema, def.table.name)).has(range.name)) return;
          if (attempt >= ATTEMPTS || !(lostCreateRace(error) || overlaps(error))) throw error;
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
        }
      }
    });
  }
  return created;
}

/** PostgreSQL's "partition … would overlap partition …" (42P17): the other session's partition may not be visible yet. */
function overlaps(error: unknown): boolean {
  return error instanceof WeirError && error.details.sqlState === "42P17";
}
