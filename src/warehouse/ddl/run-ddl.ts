import { retryCreateRace } from "../../engines/create-race.js";
import type { Engine } from "../../engines/engine.js";

/**
 * Runs one (idempotent) DDL statement, again while it loses a race with another session
 * creating the same object (`retryCreateRace`). On PostgreSQL each try runs under a
 * savepoint — in the caller's transaction when `engine` is bound to one, else in one of its
 * own — so a lost race does not abort the transaction it happens in.
 */
export async function runDdl(engine: Engine, sql: string, params?: readonly unknown[]): Promise<number> {
  if (engine.kind !== "postgres") return retryCreateRace(() => engine.run(sql, params));
  return engine.transaction((tx) =>
    retryCreateRace(async () => {
      await tx.run("SAVEPOINT weir_ddl");
      let changed: number;
      try {
        changed = await tx.run(sql, params);
      } catch (error) {
        await tx.run("ROLLBACK TO SAVEPOINT weir_ddl");
        throw error;
      }
      await tx.run("RELEASE SAVEPOINT weir_ddl");
      return changed;
    }),
  );
}
