import type { SqlDatabase } from "../../metadata/sql-database.js";
import type { MetricsSql } from "../metrics-sql.js";

/** What every collector reads from: the store's database, its dialect's expressions and "now". */
export interface CollectContext {
  db: SqlDatabase;
  sql: MetricsSql;
  now: Date;
}

/** Seconds since the epoch of an ISO-8601 instant; undefined for NULL or unparseable text. */
export function epochSeconds(iso: unknown): number | undefined {
  if (typeof iso !== "string") return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Seconds from an ISO-8601 instant to `now`; undefined when there is no instant. */
export function ageSeconds(iso: unknown, now: Date): number | undefined {
  const at = epochSeconds(iso);
  return at === undefined ? undefined : now.getTime() / 1000 - at;
}
