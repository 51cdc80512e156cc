import { describe, expect, it } from "vitest";
import { engineConformance } from "../../../test/support/engine-suite.js";
import { DuckDBEngine } from "./duckdb-engine.js";

engineConformance("duckdb (in memory)", () => DuckDBEngine.create({ memoryLimit: "256MB", threads: 2 }));

describe("DuckDBEngine", () => {
  it("wraps a rejected statement in an EngineError that names the statement", async () => {
    const engine = await DuckDBEngine.create({ memoryLimit: "128MB" });
    try {
      await expect(engine.query("SELECT * FROM no_such_table")).rejects.toMatchObject({
        code: "ENGINE_QUERY_FAILED",
        message: expect.stringContaining("no_such_table"),
      });
    } finally {
      await engine.close();
    }
  });

  it("runs one statement with changed settings and puts the previous values back", async () => {
    const engine = await DuckDBEngine.create({ memoryLimit: "128MB" });
    const setting = "SELECT current_setting('perfect_ht_threshold') AS v";
    try {
      await engine.run("SET perfect_ht_threshold = 15");
      const during = await engine.queryWithSettings({ perfect_ht_threshold: 20 }, setting);
      expect(Number(during[0]!.v)).toBe(20);
      expect(Number((await engine.query(setting))[0]!.v)).toBe(15);
      // A failing statement still restores the setting.
      await expect(
        engine.queryWithSettings({ perfect_ht_threshold: 21 }, "SELECT * FROM no_such_table"),
      ).rejects.toMatchObject({ code: "ENGINE_QUERY_FAILED" });
      expect(Number((await engine.query(setting))[0]!.v)).toBe(15);
      await expect(engine.queryWithSettings({ "x; DROP": 1 }, setting)).rejects.toMatchObject({
        code: "ENGINE_QUERY_FAILED",
        message: expect.stringContaining("invalid setting"),
      });
    } finally {
      await engine.close();
    }
  });

  it("persists to a file and reopens it", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const dir = mkdtempSync(path.join(tmpdir(), "weir-duckdb-"));
    const file = path.join(dir, "nested", "w.duckdb");
    try {
      const a = await DuckDBEngine.create({ path: file });
      await a.run("CREATE TABLE t AS SELECT 1 AS x");
      await a.close();
      const b = await DuckDBEngine.create({ path: file });
      expect(await b.query("SELECT x FROM t")).toEqual([{ x: 1 }]);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
