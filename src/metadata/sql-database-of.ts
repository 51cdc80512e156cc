import type { MetadataStore } from "./metadata-store.js";
import type { SqlDatabase } from "./sql-database.js";

/**
 * The SQL database under a metadata store (where lineage, the audit log and the token
 * vault live), or undefined for a store that has none (a test double). Checked by shape,
 * not `instanceof`: a pipeline file is loaded with its own copy of weir's modules (tsx's
 * `tsImport`), whose `SqlMetadataStore` class is not the one that opened the store.
 */
export function sqlDatabaseOf(store: MetadataStore): SqlDatabase | undefined {
  const database = (store as { database?: unknown }).database;
  if (typeof database !== "object" || database === null) return undefined;
  const db = database as Partial<SqlDatabase>;
  return typeof db.transaction === "function" && typeof db.all === "function" && typeof db.run === "function"
    ? (database as SqlDatabase)
    : undefined;
}
