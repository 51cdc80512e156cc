import { WeirError } from "../../core/errors.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { SqlDatabase } from "../../metadata/sql-database.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";

/**
 * The SQL database under a metadata store, where the audit log, the token vault and the
 * grants live. Every store weir opens is a `SqlMetadataStore`; anything else (a test double)
 * has no governance tables.
 */
export function storeDatabase(store: MetadataStore): SqlDatabase {
  const db = sqlDatabaseOf(store);
  if (db) return db;
  throw new WeirError(
    "INTERNAL",
    `the metadata store at ${store.location} is not SQL-backed: the audit log and token vault need weir's SQLite or PostgreSQL store`,
  );
}
