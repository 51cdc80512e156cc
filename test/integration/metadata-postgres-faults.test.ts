import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresDatabase } from "../../src/metadata/postgres-database.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

/** The PostgreSQL metadata store's failures of the server or connection, as METADATA_FAILED errors. */
const SCHEMA = `weir_meta_faults_${process.pid}_${Date.now().toString(36)}`;

describe("PostgresDatabase errors", () => {
  it("names the server (never its password) when it cannot be reached, and says a retry may help", async () => {
    const pool = new pg.Pool({ connectionString: "postgres://weir:hunter2@127.0.0.1:1/weir", max: 1 });
    const sql = new PostgresDatabase(pool);
    try {
      const error = await sql.run("SELECT 1").catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "METADATA_FAILED",
        retryable: true,
        details: { server: "postgres://weir:***@127.0.0.1:1/weir", postgresCode: "ECONNREFUSED" },
      });
      expect((error as Error).message).toMatch(
        /^metadata store postgres:\/\/weir:\*\*\*@127\.0\.0\.1:1\/weir: connect ECONNREFUSED .*: the server cannot be reached$/,
      );
      expect((error as Error).message).not.toContain("hunter2");
      await expect(sql.transaction(async (tx) => tx.run("SELECT 1"))).rejects.toMatchObject({
        code: "METADATA_FAILED",
      });
    } finally {
      await sql.close();
    }
  });
});

describe.skipIf(!postgresAvailable)("PostgresDatabase errors on a real server", () => {
  beforeAll(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA "${SCHEMA}"`);
    await client.query(`CREATE TABLE "${SCHEMA}".logs (id INT PRIMARY KEY, line TEXT)`);
    await client.end();
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await client.end();
  });

  it("says a read-only server refuses writes, and leaves constraint errors as the server reported them", async () => {
    const readonly = new PostgresDatabase(
      new pg.Pool({
        connectionString: POSTGRES_URL,
        options: `-c search_path=${SCHEMA} -c default_transaction_read_only=on`,
        max: 1,
      }),
    );
    try {
      await expect(
        readonly.transaction(async (tx) => tx.run("INSERT INTO logs (id, line) VALUES (?, ?)", [1, "a"])),
      ).rejects.toMatchObject({
        code: "METADATA_FAILED",
        retryable: false,
        message: expect.stringContaining(
          "cannot execute INSERT in a read-only transaction (25006): the server only allows reads",
        ),
      });
    } finally {
      await readonly.close();
    }
    const writable = new PostgresDatabase(
      new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${SCHEMA}`, max: 1 }),
    );
    try {
      await writable.run("INSERT INTO logs (id, line) VALUES (?, ?)", [1, "a"]);
      await expect(writable.run("INSERT INTO logs (id, line) VALUES (?, ?)", [1, "b"])).rejects.toMatchObject(
        {
          code: "23505",
        },
      );
    } finally {
      await writable.close();
    }
  });
});
