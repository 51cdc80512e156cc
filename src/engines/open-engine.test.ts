import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openEngine } from "./open-engine.js";

describe("openEngine", () => {
  it("opens DuckDB in memory for duckdb: and :memory:", async () => {
    for (const url of ["duckdb:", ":memory:", "duckdb::memory:"]) {
      const engine = await openEngine(url, { memoryLimit: "64MB", threads: 1 });
      expect(engine.kind).toBe("duckdb");
      expect(await engine.query("SELECT 1 + 1 AS n")).toEqual([{ n: 2 }]);
      await engine.close();
    }
  });

  it("opens a DuckDB file, creating its folder", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "weir-open-"));
    const file = path.join(dir, "sub", "w.duckdb");
    try {
      const engine = await openEngine(`duckdb:${file}`);
      await engine.run("CREATE TABLE t (x INTEGER)");
      await engine.close();
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses unknown URLs without echoing a password", async () => {
    const err = await openEngine("mysql://user:hunter2@db/x").catch((e) => e);
    expect(err).toMatchObject({ code: "CONFIG_INVALID" });
    expect(err.message).toContain("postgres://");
    expect(err.message).not.toContain("hunter2");
  });
});
