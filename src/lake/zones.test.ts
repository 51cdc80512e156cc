import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import {
  assertFilterColumns,
  HIVE_NULL,
  matchesFilter,
  parsePartitionPath,
  partitionColumnNames,
  partitionKey,
  timePartitions,
} from "./partitioning.js";
import { assertSafeName, datasetId, parseDatasetId } from "./zones.js";

describe("parseDatasetId", () => {
  it("accepts the long and the short form", () => {
    expect(parseDatasetId("lake.raw.customers")).toEqual({ zone: "raw", name: "customers" });
    expect(parseDatasetId("curated.order-lines_2")).toEqual({ zone: "curated", name: "order-lines_2" });
    expect(parseDatasetId("lake.sandbox.x")).toEqual({ zone: "sandbox", name: "x" });
    expect(datasetId(parseDatasetId("processed.orders"))).toBe("lake.processed.orders");
  });

  it.each([
    ["customers", /malformed/],
    ["lake.raw.a.b", /malformed/],
    ["warehouse.raw.customers", /must start with "lake\."/],
    ["lake.bronze.customers", /unknown zone "bronze".*raw, processed, curated, sandbox/],
    ["lake.raw.", /dataset name.*not allowed/],
    ["lake.raw.../etc", /malformed/],
    ["raw.a b", /not allowed/],
    ["raw.-x", /not allowed/],
    ["raw.ümlaut", /not allowed/],
    ["raw.a/b", /not allowed/],
  ])("rejects %j with a ConfigError", (id, message) => {
    let caught: unknown;
    try {
      parseDatasetId(id);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe("CONFIG_INVALID");
    expect((caught as ConfigError).message).toMatch(message);
  });

  it("limits name length", () => {
    expect(() => assertSafeName("a".repeat(128), "name")).not.toThrow();
    expect(() => assertSafeName("a".repeat(129), "name")).toThrow(/1–128/);
  });
});

describe("partition columns", () => {
  it("timePartitions builds zero-padded year/month/day/hour expressions down to the grain", () => {
    expect(timePartitions("updated_at", "year")).toEqual([
      { name: "year", expression: `strftime("updated_at", '%Y')` },
    ]);
    const hour = timePartitions('we"ird', "hour");
    expect(hour.map((c) => (typeof c === "string" ? c : c.name))).toEqual(["year", "month", "day", "hour"]);
    expect(hour[3]).toEqual({ name: "hour", expression: `strftime("we""ird", '%H')` });
    expect(() => timePartitions("t", "week" as "day")).toThrow(ConfigError);
  });

  it("partition column names must be safe and unique", () => {
    expect(partitionColumnNames(["country", { name: "day", expression: "'15'" }])).toEqual([
      "country",
      "day",
    ]);
    expect(() => partitionColumnNames(["a=b"])).toThrow(/partition column "a=b" is not allowed/);
    expect(() => partitionColumnNames(["a", { name: "a", expression: "1" }])).toThrow(/listed twice/);
  });

  it("parses percent-encoded Hive paths, NULL partitions and unpartitioned files", () => {
    expect(parsePartitionPath("cat=x%2Fy%3Dz/city=K%C3%B6ln%20Nord/part-c1-0.parquet")).toEqual({
      cat: "x/y=z",
      city: "Köln Nord",
    });
    expect(parsePartitionPath(`cat=${HIVE_NULL}/empty=/part-c1-0.parquet`)).toEqual({ cat: null, empty: "" });
    expect(parsePartitionPath("part-c1-0.parquet")).toEqual({});
  });

  it("matches filters by equality, IN lists and NULL", () => {
    const values = { country: "DE", day: "07", region: null };
    expect(matchesFilter(values, { country: "DE" })).toBe(true);
    expect(matchesFilter(values, { country: "FR" })).toBe(false);
    expect(matchesFilter(values, { country: ["FR", "DE"], day: "07" })).toBe(true);
    expect(matchesFilter(values, { country: ["FR", "DE"], day: "08" })).toBe(false);
    expect(matchesFilter(values, { region: null })).toBe(true);
    expect(matchesFilter(values, { region: "north" })).toBe(false);
    expect(matchesFilter(values, {})).toBe(true);
  });

  it("keys partitions by value in column order, distinguishing NULL from the text 'null'", () => {
    expect(partitionKey({ b: "2", a: "1" }, ["a", "b"])).toBe(partitionKey({ a: "1", b: "2" }, ["a", "b"]));
    expect(partitionKey({ a: null }, ["a"])).not.toBe(partitionKey({ a: "null" }, ["a"]));
  });

  it("refuses filters on columns that are not partition columns", () => {
    expect(() => assertFilterColumns({ day: "1" }, ["year", "day"], "lake.raw.x")).not.toThrow();
    expect(() => assertFilterColumns({ id: "1" }, ["year", "day"], "lake.raw.x")).toThrow(
      /filter on "id" for lake\.raw\.x: not a partition column \(partition columns: year, day\)/,
    );
  });
});
