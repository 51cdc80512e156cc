import { messageOf, WeirError } from "../core/errors.js";
import { MIGRATIONS, type Migration, pendingMigrations, SCHEMA_MIGRATIONS_DDL } from "./migrations.js";
import type { SqlDatabase } from "./sql-database.js";

/**
 * Applies the pending migrations in one transaction, so a failing migration leaves the
 * store exactly as it was and two processes opening a fresh store cannot both migrate it.
 * The SQLite and PostgreSQL stores run the very same list.
 */
export async function migrate(
  db: SqlDatabase,
  where: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      if (db.dialect.migrationLock) await tx.run(db.dialect.migrationLock);
      await tx.run(SCHEMA_MIGRATIONS_DDL);
      const applied = await tx.all<{ version: number }>("SELECT version FROM schema_migrations");
      for (const migration of pendingMigrations(
        applied.map((r) => Number(r.version)),
        migrations,
      )) {
        for (const statement of migration.statements) await tx.run(statement);
        await tx.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
      }
    });
  } catch (cause) {
    if (cause instanceof WeirError) throw cause;
    throw new WeirError(
      "METADATA_FAILED",
      `migrating the metadata store at ${where} failed: ${messageOf(cause)}`,
      {
        cause,
        details: { store: where },
      },
    );
  }
}

/** The highest applied migration, 0 for an empty store. */
export async function schemaVersionOf(db: SqlDatabase): Promise<number> {
  const row = await db.get<{ v: number | string | null }>("SELECT MAX(version) AS v FROM schema_migrations");
  return row?.v === null || row?.v === undefined ? 0 : Number(row.v);
}
