import { createHash } from "node:crypto";
import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";

/** Longest run-id part kept whole in a staging schema name (PostgreSQL keeps 63 bytes of a name). */
const MAX_ID_CHARS = 48;

/**
 * The schema a run's staging tables live in: `staging_<run id>`, the same in every process
 * that executes the run (a resumed run finds what its earlier tasks staged). Two runs —
 * two dates of a backfill — never share a staging table, so they can run at once.
 *
 * @example
 * stagingSchemaOf("run_0lx8k2a1b9f3e2d1c0a"); // "staging_run_0lx8k2a1b9f3e2d1c0a"
 */
export function stagingSchemaOf(runId: string): string {
  const id = runId.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (id.length <= MAX_ID_CHARS) return `staging_${id}`;
  // Still unique per run when a long id (chosen by a caller) is cut short.
  const hash = createHash("sha256").update(runId).digest("hex").slice(0, 10);
  return `staging_${id.slice(0, MAX_ID_CHARS - 11)}_${hash}`;
}

/** A table (or view) named `name` in the run's staging schema. */
export function stagingTableOf(runId: string, name: string): TableRef {
  return { schema: stagingSchemaOf(runId), name };
}

/**
 * Drops a run's staging schema and everything in it, once the run has succeeded: its
 * staged tables are no longer needed. A run that failed keeps them, because `weir retry`
 * runs only its unfinished tasks, which read what the finished ones staged.
 */
export async function dropStaging(engine: Engine, runId: string): Promise<void> {
  await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(stagingSchemaOf(runId))} CASCADE`);
}
