import { describe, expect, it } from "vitest";
import { queryFailed } from "./query-error.js";
import { keyRaceRetryable } from "./upsert-key.js";

describe("keyRaceRetryable", () => {
  it("retries a DuckDB duplicate on the upsert key (a concurrent commit), not on another unique key", () => {
    const onKey = queryFailed(
      "duckdb",
      "INSERT …",
      new Error('Constraint Error: Duplicate key "id: 7" violates primary key constraint.'),
    );
    expect(keyRaceRetryable(onKey, ["id"])).toMatchObject({
      code: "ENGINE_QUERY_FAILED",
      retryable: true,
      cause: onKey.cause,
    });
    const composite = queryFailed(
      "duckdb",
      "INSERT …",
      new Error('Constraint Error: Duplicate key "a: 1, b: 2" violates unique constraint.'),
    );
    expect(keyRaceRetryable(composite, ["a", "b"])).toMatchObject({ retryable: true });
    const other = queryFailed(
      "duckdb",
      "INSERT …",
      new Error('Constraint Error: Duplicate key "w: 2048" violates unique constraint.'),
    );
    expect(keyRaceRetryable(other, ["id"])).toBe(other);
    expect(keyRaceRetryable(new Error("boom"), ["id"])).toBeInstanceOf(Error);
  });
});
