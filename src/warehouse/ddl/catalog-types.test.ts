import { describe, expect, it } from "vitest";
import { compareTypes, compareWithModel, normalType } from "./catalog-types.js";
import { duckdbIndexColumns } from "./introspect.js";

describe("catalog type comparison", () => {
  it("treats each engine's spelling of a declared type as the same type", () => {
    const same: [Parameters<typeof compareWithModel>[0], string, Parameters<typeof compareWithModel>[2]][] = [
      ["postgres", "character varying", "varchar"],
      ["postgres", "text", "varchar"],
      ["postgres", "double precision", "double"],
      ["postgres", "timestamp with time zone", "timestamptz"],
      ["postgres", "timestamp without time zone", "timestamp"],
      ["postgres", "numeric(18,2)", "decimal(18,2)"],
      ["postgres", "numeric(38,10)", "decimal"],
      ["postgres", "jsonb", "json"],
      ["duckdb", "VARCHAR", "varchar"],
      ["duckdb", "TIMESTAMP WITH TIME ZONE", "timestamptz"],
      ["duckdb", "DECIMAL(18,2)", "decimal(18,2)"],
      ["duckdb", "INTEGER", "integer"],
      ["duckdb", "UUID", "uuid"],
    ];
    for (const [engine, catalog, declared] of same)
      expect(compareWithModel(engine, catalog, declared)).toBe("same");
  });

  it("calls widening what keeps every value, and anything else a change", () => {
    expect(compareWithModel("postgres", "integer", "bigint")).toBe("widen");
    expect(compareWithModel("duckdb", "DECIMAL(10,2)", "decimal(18,2)")).toBe("widen");
    expect(compareWithModel("postgres", "character varying(20)", "varchar")).toBe("widen");
    expect(compareWithModel("duckdb", "INTEGER", "double")).toBe("widen");
    expect(compareWithModel("postgres", "bigint", "integer")).toBe("change");
    expect(compareWithModel("duckdb", "DECIMAL(18,4)", "decimal(18,2)")).toBe("change");
    expect(compareWithModel("postgres", "text", "integer")).toBe("change");
    expect(compareWithModel("postgres", "timestamp with time zone", "date")).toBe("change");
    expect(compareWithModel("postgres", "json", "json")).toBe("change");
    expect(compareWithModel("duckdb", "BIGINT", "double")).toBe("change");
    expect(compareTypes(normalType("TIMESTAMP_NS"), normalType("TIMESTAMP"))).toBe("change");
  });
});

describe("duckdbIndexColumns", () => {
  it("reads DuckDB's list of key expressions, quoted names included", () => {
    expect(duckdbIndexColumns(`['"e-mail""x"', k]`)).toEqual(['e-mail"x', "k"]);
    expect(duckdbIndexColumns(`['"a,b"', '"x""y"']`)).toEqual(["a,b", 'x"y']);
    expect(duckdbIndexColumns("[user_key, date_key]")).toEqual(["user_key", "date_key"]);
  });

  it("gives up on expressions", () => {
    expect(duckdbIndexColumns("['((k + 1))']")).toBeUndefined();
    expect(duckdbIndexColumns("nonsense")).toBeUndefined();
  });
});
