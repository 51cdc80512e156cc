import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import type { Schema, TableRef } from "../../src/core/types.js";
import type { ExpectationResult } from "../../src/quality/expectations/expectation.js";
import { validateDataset } from "../../src/quality/validate-dataset.js";
import {
  closeQualityEngine,
  loadTable,
  openQualityEngine,
  QUALITY_ENGINES,
  type QualityEngine,
} from "../support/quality-engines.js";

// Issue 11, "wrong answers": each reproduction on DuckDB and PostgreSQL, answered as Great
// Expectations 1.x answers it.

const column = (name: string, type: Schema["fields"][number]["type"]) => ({ name, type });

const TYPED: Schema = {
  fields: [
    column("i", "integer"),
    column("b", "bigint"),
    column("d", "double"),
    column("t", "varchar"),
    column("ts", "timestamp"),
    column("tz", "timestamptz"),
  ],
};
/** The engine's own names for weir's types, as `observed_value` reports them. */
const ENGINE_TYPE_NAMES = {
  duckdb: { i: "INTEGER", b: "BIGINT", d: "DOUBLE", t: "VARCHAR", ts: "TIMESTAMP", tz: "TIMESTAMPTZ" },
  postgres: {
    i: "INTEGER",
    b: "BIGINT",
    d: "DOUBLE_PRECISION",
    t: "TEXT",
    ts: "TIMESTAMP",
    tz: "TIMESTAMPTZ",
  },
};

describe.each(QUALITY_ENGINES)("Great Expectations' answers on %s", (engineName) => {
  let e: QualityEngine;
  const t: Record<string, TableRef> = {};
  const check = async (table: string, type: string, kwargs: Record<string, unknown>) => {
    const result = (await validateDataset(e.engine, t[table]!, [{ type, kwargs }])).results[0]!;
    return result;
  };
  const clean = (r: ExpectationResult) => {
    expect(r.exception_info, JSON.stringify(r.exception_info)).toBeUndefined();
    return r;
  };

  beforeAll(async () => {
    e = await openQualityEngine(engineName, "weir_gx_answers");
    const bigints = (...names: string[]): Schema => ({ fields: names.map((n) => column(n, "bigint")) });
    t.shadow = await loadTable(e, "shadow", bigints("x", "a", "y"), [
      [1, 1, 1],
      [2, 2, 3],
    ]);
    t.ones = await loadTable(e, "ones", bigints("n"), [[1], [1], [3]]);
    t.thirds = await loadTable(e, "thirds", bigints("n"), [[0], [0], [1]]);
    t.doubles = await loadTable(e, "doubles", { fields: [column("d", "double")] }, [[0.1], [0.2]]);
    t.mixed = await loadTable(e, "mixed", { fields: [column("n", "bigint"), column("s", "varchar")] }, [
      [1, "a"],
      [2, "b"],
      [null, null],
    ]);
    t.empty_text = await loadTable(e, "empty_text", { fields: [column("s", "varchar")] }, []);
    t.typed = await loadTable(e, "typed", TYPED, [
      [1, 2, 1.5, "x", "2024-01-01 00:00:00", "2024-01-01T00:00:00Z"],
    ]);
  });
  afterAll(async () => closeQualityEngine(e));

  describe("1. a column named x (or like any name weir generates) captures nothing", () => {
    it("column-pair equality lists the failing pair", async () => {
      const r = clean(
        await check("shadow", "expect_column_pair_values_to_be_equal", { column_A: "a", column_B: "y" }),
      );
      expect(r.success).toBe(false);
      expect(r.result).toMatchObject({ unexpected_count: 1, partial_unexpected_list: [[2, 3]] });
    });
    it("A > B and multicolumn sums too", async () => {
      const gt = clean(
        await check("shadow", "expect_column_pair_values_a_to_be_greater_than_b", {
          column_A: "y",
          column_B: "a",
        }),
      );
      expect(gt.result).toMatchObject({ unexpected_count: 1, partial_unexpected_list: [[1, 1]] });
      const sum = clean(
        await check("shadow", "expect_multicolumn_sum_to_equal", { column_list: ["a", "y"], sum_total: 2 }),
      );
      expect(sum.result).toMatchObject({ unexpected_count: 1, partial_unexpected_list: [{ a: 2, y: 3 }] });
    });
  });

  describe("2. both bounds null", () => {
    const vacuous: [string, string, unknown][] = [
      ["expect_column_mean_to_be_between", "ones", 5 / 3],
      ["expect_column_median_to_be_between", "ones", 1],
      ["expect_column_stdev_to_be_between", "ones", expect.closeTo(1.1547005383792517, 12)],
      ["expect_column_proportion_of_unique_values_to_be_between", "ones", expect.closeTo(2 / 3, 12)],
      ["expect_column_unique_value_count_to_be_between", "ones", 2],
      ["expect_table_row_count_to_be_between", "ones", 3],
      ["expect_table_column_count_to_be_between", "ones", 1],
    ];
    it.each(vacuous)("%s is a vacuous success, as GX", async (type, table, observed) => {
      const kwargs = type.startsWith("expect_table") ? {} : { column: "n" };
      for (const bounds of [{}, { min_value: null, max_value: null }]) {
        const r = clean(await check(table, type, { ...kwargs, ...bounds }));
        expect(r.success).toBe(true);
        expect(r.result.observed_value).toEqual(observed);
      }
    });
    it.each([
      ["expect_column_values_to_be_between", "n"],
      ["expect_column_min_to_be_between", "n"],
      ["expect_column_max_to_be_between", "n"],
      ["expect_column_sum_to_be_between", "n"],
      ["expect_column_value_lengths_to_be_between", "s"],
    ])("%s still refuses them, as GX", async (type, col) => {
      const run = validateDataset(e.engine, t.mixed!, [{ type, kwargs: { column: col, min_value: null } }]);
      await expect(run).rejects.toThrow(ConfigError);
      await expect(run).rejects.toThrow(/min_value and max_value cannot both be null/);
    });
  });

  describe("3. statistics are compared at full precision", () => {
    it("stdev of [1, 1, 3] between 1.1547005383792517 and itself", async () => {
      const bound = 1.1547005383792517;
      const r = clean(
        await check("ones", "expect_column_stdev_to_be_between", {
          column: "n",
          min_value: bound,
          max_value: bound,
        }),
      );
      expect(r.success).toBe(true);
    });
    it("mean of [0, 0, 1] between 1/3 and 1/3", async () => {
      const r = clean(
        await check("thirds", "expect_column_mean_to_be_between", {
          column: "n",
          min_value: 1 / 3,
          max_value: 1 / 3,
        }),
      );
      expect(r.success).toBe(true);
      expect(r.result.observed_value).toBe(1 / 3);
    });
    it("mean of DOUBLE [0.1, 0.2] between 0.15000000000000002 and itself", async () => {
      const bound = 0.15000000000000002;
      const r = clean(
        await check("doubles", "expect_column_mean_to_be_between", {
          column: "d",
          min_value: bound,
          max_value: bound,
        }),
      );
      expect(r.success).toBe(true);
      expect(r.result.observed_value).toBe(bound);
    });
    it("a bound 12 digits cannot tell apart from the mean still fails", async () => {
      const r = clean(
        await check("thirds", "expect_column_mean_to_be_between", {
          column: "n",
          max_value: 0.33333333333300003,
        }),
      );
      expect(r.success).toBe(false);
    });
  });

  describe("4. type names: the engine's own and their aliases", () => {
    const cases: [string, string, boolean][] = [
      ["d", "DOUBLE_PRECISION", true],
      ["d", "FLOAT8", true],
      ["d", "FLOAT", true],
      ["d", "double", true],
      ["d", "INTEGER", false],
      ["i", "INTEGER", true],
      ["i", "INT4", true],
      ["i", "BIGINT", false],
      ["b", "BIGINT", true],
      ["b", "INT8", true],
      ["b", "INTEGER", false],
      ["t", "TEXT", true],
      ["t", "VARCHAR", true],
      ["t", "NOT_A_TYPE", false],
      ["t", "DATE", false],
      ["ts", "TIMESTAMP", true],
      ["tz", "TIMESTAMPTZ", true],
    ];
    it.each(cases)("%s is of type %s: %s", async (col, type, success) => {
      const r = clean(
        await check("typed", "expect_column_values_to_be_of_type", { column: col, type_: type }),
      );
      expect(r.success).toBe(success);
      const names = ENGINE_TYPE_NAMES[engineName] as Record<string, string>;
      expect(r.result.observed_value).toBe(names[col]);
    });
    it("type lists, and an unknown name in one is no match", async () => {
      const list = (type_list: unknown) =>
        check("typed", "expect_column_values_to_be_in_type_list", { column: "d", type_list });
      expect(clean(await list(["INTEGER", "FLOAT8"])).success).toBe(true);
      expect(clean(await list(["INTEGER", "NOT_A_TYPE"])).success).toBe(false);
      const any = clean(await list(null));
      expect(any.success).toBe(true);
      expect(any.result.observed_value).toBe(ENGINE_TYPE_NAMES[engineName].d);
    });
  });

  describe("5. arguments GX accepts", () => {
    it("value_set: null in distinct_values_to_be_in_set is vacuously true", async () => {
      const r = clean(
        await check("mixed", "expect_column_distinct_values_to_be_in_set", { column: "s", value_set: null }),
      );
      expect(r.success).toBe(true);
      expect(r.result.observed_value).toEqual(["a", "b"]);
    });
    it('regex: "" matches every value', async () => {
      const match = clean(
        await check("mixed", "expect_column_values_to_match_regex", { column: "s", regex: "" }),
      );
      expect(match.success).toBe(true);
      const notMatch = clean(
        await check("mixed", "expect_column_values_to_not_match_regex", { column: "s", regex: "" }),
      );
      expect(notMatch).toMatchObject({ success: false, result: { unexpected_count: 2 } });
    });
    it("value_set: [null] in not_be_in_set finds nothing (NULLs are missing, never tested)", async () => {
      const r = clean(
        await check("mixed", "expect_column_values_to_not_be_in_set", { column: "s", value_set: [null] }),
      );
      expect(r).toMatchObject({ success: true, result: { unexpected_count: 0, missing_count: 1 } });
    });
    it("column_set: null is the empty set; column_list: null matches any order", async () => {
      const exact = clean(await check("mixed", "expect_table_columns_to_match_set", { column_set: null }));
      expect(exact).toMatchObject({
        success: false,
        result: { observed_value: ["n", "s"], details: { mismatched: { unexpected: ["n", "s"] } } },
      });
      const loose = clean(
        await check("mixed", "expect_table_columns_to_match_set", { column_set: null, exact_match: false }),
      );
      expect(loose.success).toBe(true);
      const ordered = clean(
        await check("mixed", "expect_table_columns_to_match_ordered_list", { column_list: null }),
      );
      expect(ordered).toMatchObject({ success: true, result: { observed_value: ["n", "s"] } });
    });
  });

  describe("6. numeric bounds on an empty text column", () => {
    it.each([
      ["expect_column_max_to_be_between", { max_value: 10 }],
      ["expect_column_min_to_be_between", { min_value: 0 }],
      ["expect_column_median_to_be_between", { min_value: 0 }],
      ["expect_column_mean_to_be_between", { min_value: 0 }],
      ["expect_column_sum_to_be_between", { min_value: 0 }],
      ["expect_column_stdev_to_be_between", { min_value: 0 }],
    ])("%s fails with observed_value null", async (type, bounds) => {
      const r = clean(await check("empty_text", type, { column: "s", ...bounds }));
      expect(r).toMatchObject({ success: false, result: { observed_value: null } });
    });
  });

  describe("7. bounds out of order are a config error", () => {
    it.each([
      [
        "expect_column_values_to_be_between",
        { column: "n", min_value: 5, max_value: 1 },
        /min_value \(5\) is greater than max_value \(1\)/,
      ],
      [
        "expect_column_mean_to_be_between",
        { column: "n", min_value: 5, max_value: 1 },
        /min_value \(5\) is greater than max_value \(1\)/,
      ],
      [
        "expect_table_row_count_to_be_between",
        { min_value: 3, max_value: 1 },
        /min_value \(3\) is greater than max_value \(1\)/,
      ],
      [
        "expect_column_quantile_values_to_be_between",
        { column: "n", quantile_ranges: { quantiles: [0.5], value_ranges: [[5, 1]] } },
        /value_ranges\[0\] \[5, 1\]: the lower bound is greater than the upper bound/,
      ],
    ])("%s", async (type, kwargs, message) => {
      const run = validateDataset(e.engine, t.mixed!, [{ type, kwargs }]);
      await expect(run).rejects.toThrow(ConfigError);
      await expect(run).rejects.toThrow(message);
    });
  });
});
