import { describe, expect, it } from "vitest";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { engineConformance } from "../support/engine-suite.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

describe.skipIf(!postgresAvailable)("PostgresEngine", () => {
  engineConformance("postgres", () => PostgresEngine.create({ url: POSTGRES_URL, poolSize: 4 }));

  it("fails to connect with a retryable ENGINE_CONNECTION_FAILED that hides the password", async () => {
    const err = await PostgresEngine.create({ url: "postgres://u:s3cret@127.0.0.1:1/none" }).catch((e) => e);
    expect(err).toMatchObject({ code: "ENGINE_CONNECTION_FAILED", retryable: true });
    expect(String(err.message)).not.toContain("s3cret");
  });

  it("names the SQLSTATE of a rejected statement", async () => {
    const engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
    try {
      await expect(engine.query("SELECT * FROM weir_no_such_table")).rejects.toMatchObject({
        code: "ENGINE_QUERY_FAILED",
        details: expect.objectContaining({ sqlState: "42P01" }),
      });
      // The pool still works after a failure.
      expect(await engine.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await engine.close();
    }
  });
});
