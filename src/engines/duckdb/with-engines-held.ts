import type { Engine } from "../engine.js";
import type { DuckDBFileLease } from "./shared-duckdb-file.js";

/** An engine that opens its resource on demand and can be kept open (`OnDemandDuckDBEngine`). */
interface HoldableEngine {
  hold(): Promise<DuckDBFileLease>;
}

/**
 * Runs `fn` with every on-demand engine among `engines` held open, released when `fn`
 * settles: statements of one unit of work (a task attempt) share one open DuckDB file, and
 * its session state (temporary tables, settings) lasts for the whole unit. Engines that are
 * always open (PostgreSQL, an in-memory DuckDB) are left as they are. Opening may wait for
 * another process's lock and fail with WAREHOUSE_LOCKED; `fn` does not run then.
 *
 * Recognised by shape, not class: a pipeline file loaded by tsx has its own copy of weir's
 * modules, and the runtime's engine comes from the CLI's.
 *
 * @example
 * await withEnginesHeld([runtime.engine, runtime.lakeEngine], () => task.run(ctx));
 */
export async function withEnginesHeld<T>(
  engines: readonly (Engine | undefined)[],
  fn: () => Promise<T>,
): Promise<T> {
  const holdable = [...new Set(engines)].filter(isHoldable);
  const leases: DuckDBFileLease[] = [];
  try {
    for (const engine of holdable) leases.push(await engine.hold());
    return await fn();
  } finally {
    for (const lease of leases.reverse()) await lease.release();
  }
}

function isHoldable(engine: Engine | undefined): engine is Engine & HoldableEngine {
  return typeof (engine as Partial<HoldableEngine> | undefined)?.hold === "function";
}
