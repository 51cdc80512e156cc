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
