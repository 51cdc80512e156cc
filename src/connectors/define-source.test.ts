import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { createSource, sourceDefinitions } from "./create-source.js";
import { CsvSource } from "./csv-source.js";

describe("createSource", () => {
  it("registers every built-in type with described config fields", () => {
    const types = sourceDefinitions()
      .map((d) => d.type)
      .sort();
    expect(types).toEqual(["csv", "http", "json", "ndjson", "parquet", "postgres", "sqlite"]);
    const csv = sourceDefinitions().find((d) => d.type === "csv")!;
    const shape = (csv.config as unknown as { shape: Record<string, { description?: string }> }).shape;
    expect(shape.path?.description).toMatch(/glob/);
  });

  it("validates and constructs", () => {
    const source = createSource({ type: "csv", path: "/tmp/x.csv", delimiter: ";" });
    expect(source).toBeInstanceOf(CsvSource);
    expect(source.location).toBe("/tmp/x.csv");
  });

  it("names the unknown type and every invalid field", () => {
    expect(() => createSource({ type: "ftp" })).toThrow(/unknown source type "ftp"; known types: csv, http/);
    let error: unknown;
    try {
      createSource({ type: "csv", path: 3, columns: { id: "int4" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('invalid config for source type "csv"');
    expect(message).toMatch(/path: /);
    expect(message).toMatch(/columns\.id: /);
    expect(() => createSource({ type: "sqlite", path: "/x.db" })).toThrow(
      /exactly one of `table` or `query`/,
    );
  });
});
