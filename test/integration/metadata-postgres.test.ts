import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/metadata/migrations.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";
import { PostgresMetadataStore } from "../../src/metadata/postgres-metadata-store.js";
import { metadataStoreSuite } from "../support/metadata-suite.js";
import { BEFORE_RUN_KEY, DUPLICATE_RUNS_SQL, expectRunKeysMigrated } from "../support/run-key-fixture.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

const SCHEMA = `weir_meta_${process.pid}_${Date.now().toString(36)}`;
const MIGRATE_SCHEMA = `${SCHEMA}_m`;
const DUPLICATES_SCHEMA = `${SCHEMA}_d`;

async function dropSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const s of [SCHEMA, MIGRATE_SCHEMA, DUPLICATES_SCHEMA])
      await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgresAvailable)("PostgreSQL metadata store", () => {
  afterAll(dropSchemas);

  metadataStoreSuite("postgres", () => PostgresMetadataStore.open({ url: POSTGRES_URL, schema: SCHEMA }));

  it("is selected by a postgres URL with ?schema=, and re-opening applies nothing twice", async () => {
    const url = `${POSTGRES_URL}?schema=${MIGRATE_SCHEMA}`;
    // Two processes opening a fresh schema at once: the advisory lock keeps them apart.
    const [a, b] = await Promise.all([openMetadataStore(url), openMetadataStore(url)]);
    expect(a.kind).toBe("postgres");
    expect(a.location).toContain(`schema ${MIGRATE_SCHEMA}`);
    expect(await a.schemaVersion()).toBe(MIGRATIONS.length);
    await a.cursors.commit("p", "s", "42");
    await Promise.all([a.close(), b.close()]);
    const again = await openMetadataStore(url);
    expect(await again.cursors.get("p", "s")).toBe("42");
    await again.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    const { rows } = await client.query(
      `SELECT COUNT(*)::int AS n FROM "${MIGRATE_SCHEMA}".schema_migrations`,
    );
    await client.end();
    expect(rows[0].n).toBe(MIGRATIONS.length);
  });

  it("gives runs their unique key on a store that holds duplicates, keeping every run", async () => {
    const old = await PostgresMetadataStore.open({
      url: POSTGRES_URL,
      schema: DUPLICATES_SCHEMA,
      migrations: BEFORE_RUN_KEY,
    });
    await old.close();
    const client = new pg.Client({
      connectionString: POSTGRES_URL,
      options: `-c search_path=${DUPLICATES_SCHEMA}`,
    });
    await client.connect();
    try {
      for (const sql of DUPLICATE_RUNS_SQL) await client.query(sql);
    } finally {
      await client.end();
    }
    const store = await PostgresMetadataStore.open({ url: POSTGRES_URL, schema: DUPLICATES_SCHEMA });
    try {
      await expectRunKeysMigrated(store);
    } finally {
      await store.close();
    }
  });

  it("rolls a failing migration back completely and says where", async () => {
    const bad = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: "half",
        statements: ["CREATE TABLE half (x INTEGER)", "NOT SQL"],
      },
    ];
    const error = await PostgresMetadataStore.open({
      url: POSTGRES_URL,
      schema: MIGRATE_SCHEMA,
      migrations: bad,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "METADATA_FAILED" });
    expect(String((error as Error).message)).toMatch(
      /migrating the metadata store at postgres:\/\/.* failed: .*syntax error/,
    );
    const store = await PostgresMetadataStore.open({ url: POSTGRES_URL, schema: MIGRATE_SCHEMA });
    expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    await store.close();
  });
});

describe("openMetadataStore", () => {
  it("refuses an unknown URL scheme, hiding the password", async () => {
    await expect(openMetadataStore("mysql://u:secret@h/db")).rejects.toThrow(
      /unsupported metadata store URL scheme in "mysql:\/\/u:\*\*\*@h\/db"/,
    );
  });
});
