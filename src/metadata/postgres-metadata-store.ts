import { messageOf, WeirError } from "../core/errors.js";
import { migrate } from "./migrate.js";
import type { Migration } from "./migrations.js";
import { PostgresDatabase } from "./postgres-database.js";
import { SqlMetadataStore } from "./sql-metadata-store.js";

export interface PostgresMetadataStoreOptions {
  /** `postgres://user[:password]@host:port/db`; `?schema=name` puts the tables in that schema. */
  url: string;
  /** The schema for weir's tables (created if missing); default the URL's `schema` or `public`. */
  schema?: string;
  /** Pool size; default 4 (the executor writes from one process, a few at a time). */
  maxConnections?: number;
  /** For tests of the migration runner; defaults to `MIGRATIONS`. */
  migrations?: readonly Migration[];
}

/**
 * The metadata store on PostgreSQL, selected when `WEIR_METADATA_URL` is a postgres URL:
 * the same tables from the same migration list as the SQLite store, and the same
 * repositories. Pool slots are claimed under a row lock on the pool, so processes on
 * several hosts share a limit.
 *
 * @example
 * const store = await PostgresMetadataStore.open({ url: "postgres://weir@db/weir", schema: "weir" });
 */
export class PostgresMetadataStore extends SqlMetadataStore {
  static async open(options: PostgresMetadataStoreOptions): Promise<PostgresMetadataStore> {
    const url = new URL(options.url);
    const schema = options.schema ?? url.searchParams.get("schema") ?? "public";
    url.searchParams.delete("schema");
    const shown = redactUrl(url);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
      throw new WeirError(
        "CONFIG_INVALID",
        `invalid metadata schema "${schema}" in ${shown}: expected letters, digits and _`,
        {
          details: { schema },
        },
      );
    }
    // Imported lazily: the embedded default never loads the PostgreSQL client.
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({
      connectionString: url.toString(),
      max: options.maxConnections ?? 4,
      options: `-c search_path=${schema}`,
    });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    pool.on("error", () => undefined);
    const sql = new PostgresDatabase(pool);
    try {
      // Under the migration lock: two processes creating the schema at once race on the catalog.
      await sql.transaction(async (tx) => {
        await tx.run(sql.dialect.migrationLock!);
        await tx.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      });
      await migrate(sql, shown, options.migrations);
    } catch (cause) {
      await pool.end().catch(() => undefined);
      if (cause instanceof WeirError) throw cause;
      throw new WeirError(
        "METADATA_FAILED",
        `cannot open the metadata store at ${shown}: ${messageOf(cause)}`,
        {
          cause,
          retryable: true,
          details: { url: shown },
        },
      );
    }
    return new PostgresMetadataStore(sql, "postgres", `${shown} (schema ${schema})`);
  }
}

/** The URL without its password, for messages and `store.location`. */
function redactUrl(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = "***";
  return copy.toString();
}
