import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import {
  escapePartitionSql,
  escapePartitionValue,
  isEscapedValue,
  unescapePartitionSql,
  unescapePartitionValue,
} from "./partition-escape.js";
import { HIVE_NULL, parsePartitionPath } from "./partitioning.js";

const VALUES = [
  HIVE_NULL,
  `${HIVE_NULL}~`,
  `${HIVE_NULL}~~`,
  `${HIVE_NULL}x`,
  `x${HIVE_NULL}`,
  "__hive_default_partition__",
  "NULL",
  "null",
  "Null",
  "NULL~",
  "NULL~~",
  "NULLS",
  " NULL",
  "~",
  "",
  "plain",
];

let engine: DuckDBEngine;
beforeAll(async () => {
  engine = await DuckDBEngine.create();
});
afterAll(async () => {
  await engine.close();
});

describe("partition value escaping", () => {
  it("never writes a folder value DuckDB reads as NULL, and round-trips every value", () => {
    const folders = VALUES.map(escapePartitionValue);
    expect(new Set(folders).size).toBe(VALUES.length);
    for (const folder of folders) {
      expect(folder === HIVE_NULL || folder.toUpperCase() === "NULL", folder).toBe(false);
    }
    expect(folders.map(unescapePartitionValue)).toEqual(VALUES);
    expect(escapePartitionValue(HIVE_NULL)).toBe(`${HIVE_NULL}~`);
    expect(escapePartitionValue("null")).toBe("null~");
    expect(escapePartitionValue("plain")).toBe("plain");
    expect(VALUES.filter(isEscapedValue)).toEqual(VALUES.filter((v, i) => folders[i] !== v));
  });

  it("reads DuckDB's NULL folder values as NULL, percent-decoded", () => {
    expect(parsePartitionPath(`a=${HIVE_NULL}/b=NULL/c=NULL~/d=100%25/part-0.parquet`)).toEqual({
      a: null,
      b: null,
      c: "NULL",
      d: "100%",
    });
  });

  it("escapes and unescapes the same way in DuckDB SQL as in TypeScript, keeping NULL", async () => {
    const list = VALUES.map((v) => engine.dialect.quoteLiteral(v)).join(", ");
    const rows = await engine.query(
      `SELECT v, ${escapePartitionSql("v")} AS escaped, ${unescapePartitionSql(escapePartitionSql("v"))} AS back
       FROM (SELECT unnest([${list}, NULL]) AS v)`,
    );
    expect(rows).toEqual([
      ...VALUES.map((v) => ({ v, escaped: escapePartitionValue(v), back: v })),
      { v: null, escaped: null, back: null },
    ]);
  });
});
