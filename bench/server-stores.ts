import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MetadataStore } from "../src/metadata/metadata-store.js";
import { openMetadataStore } from "../src/metadata/open-metadata-store.js";
import { sqlDatabaseOf } from "../src/metadata/sql-database-of.js";
import { type SeedResult, type SeedShape, seedServerStore } from "./server-seed.js";

export type Backend = "sqlite" | "postgres";

/** A fresh, seeded metadata store of the bench, and how to throw it away. */
export interface BenchStore {
  backend: Backend;
  store: MetadataStore;
  /** The URL it was opened with (the store's WEIR_METADATA_URL). */
  url: string;
  /** The temp home holding the SQLite file (also the server's home). */
  home: string;
  seed: SeedResult;
  /** Closes the store and deletes its file or drops its schema. */
  drop(): Promise<void>;
}

let counter = 0;

/**
 * Opens a fresh store through `openMetadataStore` (so it is migrated exactly as `weir`
 * opens one) and seeds it: SQLite in a new temp home, PostgreSQL in a new schema of
 * `postgresUrl` that `drop` removes.
 */
export async function openSeededStore(
  backend: Backend,
  shape: SeedShape,
  postgresUrl: string,
): Promise<BenchStore> {
  const home = mkdtempSync(path.join(tmpdir(), "weir-bench-server-"));
  const schema = `weir_bench_server_${process.pid}_${++counter}`;
  const url =
    backend === "sqlite"
      ? `sqlite://${path.join(home, "weir.db")}`
      : `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}schema=${schema}`;
  const store = await openMetadataStore(url);
  const drop = async () => {
    await store.close();
    if (backend === "postgres") await dropSchema(postgresUrl, schema);
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const db = sqlDatabaseOf(store);
    if (!db) throw new Error(`the ${backend} metadata store has no SQL database to seed`);
    const seed = await seedServerStore(db, shape);
    return { backend, store, url, home, seed, drop };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
}

async function dropSchema(postgresUrl: string, schema: string): Promise<void> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
