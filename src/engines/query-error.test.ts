import { describe, expect, it } from "vitest";
import { queryFailed } from "./query-error.js";

/** A pg driver error: message plus the fields pg copies from PostgreSQL's ErrorResponse. */
function pgError(message: string, fields: { code?: string; constraint?: string }): Error {
  return Object.assign(new Error(message), fields);
}

describe("queryFailed", () => {
  it("makes a lost connection a retryable ENGINE_CONNECTION_FAILED, whatever reported it", () => {
    const causes = [
      pgError("terminating connection due to administrator command", { code: "57P01" }),
      pgError("server closed the connection unexpectedly", { code: "08006" }),
      new Error("Connection terminated unexpectedly"),
      new Error("Client has encountered a connection error and is not queryable"),
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      // A COPY writing to a backend that was terminated: five capitals, but no SQLSTATE.
      Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32, syscall: "write" }),
    ];
    for (const cause of causes) {
      expect(queryFailed("postgres", "COPY t FROM STDIN", cause)).toMatchObject({
        code: "ENGINE_CONNECTION_FAILED",
        retryable: true,
        cause,
      });
    }
    // A Node socket error's code is not a SQLSTATE.
    const reset = queryFailed(
      "postgres",
      "SELECT 1",
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
    );
    expect(reset.details.sqlState).toBeUndefined();
    expect(reset.message).not.toContain("SQLSTATE");
  });

  it("retries PostgreSQL's lost races on its catalog, but not a duplicate key in user data", () => {
    const catalog = pgError('duplicate key value violates unique constraint "pg_type_typname_nsp_index"', {
      code: "23505",
      constraint: "pg_type_typname_nsp_index",
    });
    expect(queryFailed("postgres", "CREATE TABLE t (a int)", catalog)).toMatchObject({
      code: "ENGINE_QUERY_FAILED",
      retryable: true,
      details: { sqlState: "23505" },
    });
    const user = pgError('duplicate key value violates unique constraint "t_pkey"', {
      code: "23505",
      constraint: "t_pkey",
    });
    expect(queryFailed("postgres", "INSERT INTO t VALUES (1)", user).retryable).toBe(false);
    for (const code of ["40001", "40P01"]) {
      expect(queryFailed("postgres", "UPDATE t SET a = 1", pgError("x", { code })).retryable).toBe(true);
    }
  });

  it("retries DuckDB's transaction conflicts and commit-time key races, not ON CONFLICT mistakes", () => {
    const transient = [
      "TransactionContext Error: Conflict on update!",
      "TransactionContext Error: Conflict on tuple deletion!",
      'TransactionContext Error: Catalog write-write conflict on create with "main.t"',
      "TransactionContext Error: Transaction conflict: cannot add an index to a table that has been altered or dropped",
      'TransactionContext Error: Failed to commit: PRIMARY KEY or UNIQUE constraint violation: duplicate key "9000"',
    ];
    for (const message of transient) {
      expect(queryFailed("duckdb", "COMMIT", new Error(message))).toMatchObject({
        code: "ENGINE_QUERY_FAILED",
        retryable: true,
      });
    }
    const terminal = [
      "Binder Error: The specified columns as conflict target are not referenced by a UNIQUE/PRIMARY KEY CONSTRAINT or INDEX",
      "Invalid Input Error: ON CONFLICT DO UPDATE can not update the same row twice in the same command",
      'Constraint Error: Duplicate key "id: 1" violates primary key constraint.',
    ];
    for (const message of terminal) {
      expect(queryFailed("duckdb", "INSERT INTO t SELECT 1", new Error(message)).retryable).toBe(false);
    }
  });
});
