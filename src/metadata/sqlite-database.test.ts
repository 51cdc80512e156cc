import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteDatabase } from "./sqlite-database.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-sqlite-db-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A WAL database with one table, as the store opens its file. */
function open(name: string): { file: string; db: Database.Database; sql: SqliteDatabase } {
  const file = join(dir, name);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE IF NOT EXISTS logs (id INTEGER PRIMARY KEY, line TEXT)");
  return { file, db, sql: new SqliteDatabase(db) };
}

/** A full disk, as SQLite sees it: the file may not grow by another page. */
function fillDisk(db: Database.Database): void {
  db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true })}`);
}

const BIG = "x".repeat(64 * 1024);

describe("SqliteDatabase errors", () => {
  it("turns a full disk into METADATA_FAILED naming the file and the cause, in and out of transactions", async () => {
    const { file, db, sql } = open("full.db");
    fillDisk(db);
    const expected = {
      code: "METADATA_FAILED",
      retryable: false,
      message: `metadata store ${file}: database or disk is full (SQLITE_FULL): the disk is full (or the database reached its size limit)`,
      details: { file, sqliteCode: "SQLITE_FULL" },
    };
    await expect(sql.run("INSERT INTO logs (line) VALUES (?)", [BIG])).rejects.toMatchObject(expected);
    await expect(
      sql.transaction(async (tx) => {
        await tx.run("INSERT INTO logs (line) VALUES (?)", ["small"]);
        await tx.run("INSERT INTO logs (line) VALUES (?)", [BIG]);
      }),
    ).rejects.toMatchObject(expected);
    // The failed transaction was rolled back, and the store works again once there is room.
    expect(db.inTransaction).toBe(false);
    db.pragma("max_page_count = 1000000");
    await sql.transaction(async (tx) => tx.run("INSERT INTO logs (line) VALUES (?)", [BIG]));
    expect(await sql.all<{ n: number }>("SELECT count(*) AS n FROM logs")).toEqual([{ n: 1 }]);
    await sql.close();
  });

  it("says a read-only file cannot be written, and a lock held too long is retryable and wedges nothing", async () => {
    const { file, sql: writable } = open("locked.db");
    await writable.close();
    const readonly = new SqliteDatabase(new Database(file, { readonly: true }));
    await expect(readonly.run("INSERT INTO logs (line) VALUES ('a')")).rejects.toMatchObject({
      code: "METADATA_FAILED",
      retryable: false,
      message: expect.stringContaining(
        `metadata store ${file}: attempt to write a readonly database (SQLITE_READONLY)`,
      ),
    });
    await readonly.close();

    const holder = new Database(file);
    holder.exec("BEGIN IMMEDIATE");
    const waiting = new Database(file);
    waiting.pragma("busy_timeout = 20");
    const sql = new SqliteDatabase(waiting);
    try {
      await expect(
        sql.transaction(async (tx) => tx.run("INSERT INTO logs (line) VALUES ('b')")),
      ).rejects.toMatchObject({
        code: "METADATA_FAILED",
        retryable: true,
        details: { file, sqliteCode: "SQLITE_BUSY" },
      });
      holder.exec("ROLLBACK");
      // The failed BEGIN left no transaction open behind it: the next statements run (they spun forever before).
      await sql.transaction(async (tx) => tx.run("INSERT INTO logs (line) VALUES ('c')"));
      expect(await sql.all<{ line: string }>("SELECT line FROM logs")).toEqual([{ line: "c" }]);
    } finally {
      if (holder.inTransaction) holder.exec("ROLLBACK");
      holder.close();
      await sql.close();
    }
  });

  it("leaves SQL and constraint errors as SQLite reported them (they are bugs, or answers)", async () => {
    const { sql } = open("constraint.db");
    await sql.run("INSERT INTO logs (id, line) VALUES (1, 'a')");
    await expect(sql.run("INSERT INTO logs (id, line) VALUES (1, 'b')")).rejects.toMatchObject({
      code: "SQLITE_CONSTRAINT_PRIMARYKEY",
    });
    await expect(sql.all("SELECT nope FROM logs")).rejects.toMatchObject({ code: "SQLITE_ERROR" });
    await sql.close();
  });
});
