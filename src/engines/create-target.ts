import type { Schema, TableRef } from "../core/types.js";
import { lostCreateRace } from "./create-race.js";
import type { CreateTableOptions, Engine } from "./engine.js";

/** How often creating is tried: once for the schema race, once for the table race, and a spare. */
const CREATE_ATTEMPTS = 3;

/**
 * Creates the target of a write inside the write's transaction `tx`, and copes with another
 * process creating the same table at the same moment (two runs' first writes of a new
 * table). On PostgreSQL the second CREATE waits for the first transaction and then fails
 * with 42P07 or a unique violation on the catalog (23505); under a savepoint that failure
 * is undone alone, and the table the other writer committed is used instead. Engines
 * without savepoints run the CREATE as is: a lost race fails the transaction with a
 * retryable conflict.
 *
 * Returns the table's schema and whether this transaction created it.
 */
export async function createTarget(
  tx: Engine,
  target: TableRef,
  schema: Schema,
  options: CreateTableOptions,
): Promise<{ schema: Schema; created: boolean }> {
  if (!tx.dialect.features.savepoints) {
    await tx.createTable(target, schema, options);
    return { schema, created: true };
  }
  for (let attempt = 1; ; attempt++) {
    await tx.run("SAVEPOINT weir_create");
    try {
      await tx.createTable(target, schema, options);
      await tx.run("RELEASE SAVEPOINT weir_create");
      return { schema, created: true };
    } catch (error) {
      await tx.run("ROLLBACK TO SAVEPOINT weir_create");
      if (!lostCreateRace(error) || attempt >= CREATE_ATTEMPTS) throw error;
      // The winner has committed (the loser waited for it); if only its schema was new,
      // the next attempt creates the table in it.
      const existing = await tx.describe(target);
      if (existing) return { schema: existing, created: false };
    }
  }
}
