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

  it("keeps a URL's session options (a search_path) and still applies its own (UTC, ISO dates)", async () => {
    const url = new URL(POSTGRES_URL);
    url.searchParams.set("options", "-c search_path=weir_no_such_schema,public -c TimeZone=America/New_York");
    const engine = await PostgresEngine.create({ url: url.href, poolSize: 1 });
    try {
      expect(
        await engine.query("SELECT current_setting('search_path') AS sp, current_setting('TimeZone') AS tz"),
      ).toEqual([{ sp: "weir_no_such_schema,public", tz: "UTC" }]);
    } finally {
      await engine.close();
    }
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

  it("runs one statement with changed planner settings and puts the previous values back", async () => {
    const engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
    const setting = "SELECT current_setting('enable_hashagg') AS v";
    try {
      // On a connection of its own (a transaction), and in a read-only session, as checks run.
      expect(await engine.queryWithSettings({ enable_hashagg: false }, setting)).toEqual([{ v: "off" }]);
      expect(await engine.query(setting)).toEqual([{ v: "on" }]);
      await engine.readOnly(async (ro) => {
        expect(await ro.queryWithSettings!({ enable_hashagg: false, work_mem: 8192 }, setting)).toEqual([
          { v: "off" },
        ]);
        expect(await ro.query(setting)).toEqual([{ v: "on" }]);
        expect(await ro.query("SELECT current_setting('work_mem') AS v")).toEqual([{ v: "4MB" }]);
        // A failing statement: the session goes on, with the settings it had.
        await expect(
          ro.queryWithSettings!({ enable_hashagg: false }, "SELECT * FROM weir_no_such_table"),
        ).rejects.toMatchObject({ code: "ENGINE_QUERY_FAILED" });
        expect(await ro.query(setting)).toEqual([{ v: "on" }]);
      });
      await expect(engine.queryWithSettings({ "x; DROP": 1 }, setting)).rejects.toMatchObject({
        code: "ENGINE_QUERY_FAILED",
        message: expect.stringContaining("invalid setting"),
      });
    } finally {
      await engine.close();
    }
  });
});
