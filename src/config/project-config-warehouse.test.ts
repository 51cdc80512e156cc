import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { resolveProjectConfig } from "./project-config.js";

// The `warehouse` setting: a DuckDB file or a PostgreSQL URL, WEIR_WAREHOUSE_URL over the file.
const root = "/srv/project";
const PG = "postgres://weir:s3cret-pw@db.internal:5432/dw?options=-csearch_path%3Ddw";

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("project config: warehouse", () => {
  it("resolves duckdb:<file> against the config's folder", () => {
    const config = resolveProjectConfig({ warehouse: "duckdb:data/dw.duckdb" }, { root, env: {} });
    expect(config.warehouse).toBe("/srv/project/data/dw.duckdb");
  });

  it("keeps a postgres:// or postgresql:// URL as it is", () => {
    expect(resolveProjectConfig({ warehouse: PG }, { root, env: {} }).warehouse).toBe(PG);
    const alt = "postgresql://127.0.0.1/dw";
    expect(resolveProjectConfig({ warehouse: alt }, { root, env: {} }).warehouse).toBe(alt);
  });

  it("lets WEIR_WAREHOUSE_URL win over the file, PostgreSQL or DuckDB", () => {
    const file = { warehouse: "duckdb:dw.duckdb" };
    expect(resolveProjectConfig(file, { root, env: { WEIR_WAREHOUSE_URL: PG } }).warehouse).toBe(PG);
    expect(
      resolveProjectConfig({ warehouse: PG }, { root, env: { WEIR_WAREHOUSE_URL: "duckdb:other.duckdb" } })
        .warehouse,
    ).toBe("/srv/project/other.duckdb");
    // An empty variable is unset.
    expect(resolveProjectConfig(file, { root, env: { WEIR_WAREHOUSE_URL: "" } }).warehouse).toBe(
      "/srv/project/dw.duckdb",
    );
  });

  it("refuses another kind of warehouse in the file, naming the field", () => {
    const error = thrown(() => resolveProjectConfig({ warehouse: "mysql://u@h/db" }, { root, env: {} }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("warehouse:");
    expect(error.message).toContain('"duckdb:<file>" or "postgres://');
  });

  it("refuses a bad WEIR_WAREHOUSE_URL without repeating it (it may hold a password)", () => {
    const error = thrown(() =>
      resolveProjectConfig({}, { root, env: { WEIR_WAREHOUSE_URL: "mysql://u:s3cret-pw@h/db" } }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("WEIR_WAREHOUSE_URL");
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain("s3cret-pw");
  });
});
