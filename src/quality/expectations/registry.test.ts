import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { expectationKind, expectationTypes, parseExpectation } from "./registry.js";

/** The Great Expectations core set the issue asks for, by GX's names. */
const REQUIRED = [
  "expect_table_row_count_to_equal",
  "expect_table_row_count_to_be_between",
  "expect_table_column_count_to_equal",
  "expect_table_columns_to_match_set",
  "expect_table_columns_to_match_ordered_list",
  "expect_column_to_exist",
  "expect_column_values_to_not_be_null",
  "expect_column_values_to_be_null",
  "expect_column_values_to_be_unique",
  "expect_column_values_to_be_in_set",
  "expect_column_values_to_not_be_in_set",
  "expect_column_values_to_be_between",
  "expect_column_values_to_match_regex",
  "expect_column_values_to_not_match_regex",
  "expect_column_value_lengths_to_be_between",
  "expect_column_value_lengths_to_equal",
  "expect_column_values_to_be_of_type",
  "expect_column_values_to_match_strftime_format",
  "expect_column_values_to_be_json_parseable",
  "expect_column_values_to_be_increasing",
  "expect_column_values_to_be_decreasing",
  "expect_column_min_to_be_between",
  "expect_column_max_to_be_between",
  "expect_column_mean_to_be_between",
  "expect_column_median_to_be_between",
  "expect_column_sum_to_be_between",
  "expect_column_stdev_to_be_between",
  "expect_column_quantile_values_to_be_between",
  "expect_column_distinct_values_to_be_in_set",
  "expect_column_distinct_values_to_contain_set",
  "expect_column_distinct_values_to_equal_set",
  "expect_column_proportion_of_unique_values_to_be_between",
  "expect_column_most_common_value_to_be_in_set",
  "expect_compound_columns_to_be_unique",
  "expect_column_pair_values_a_to_be_greater_than_b",
  "expect_multicolumn_sum_to_equal",
  "expect_sql_to_return_no_rows",
];

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("the expectation registry", () => {
  it("knows the GX core set by GX's names", () => {
    const known = expectationTypes();
    expect(REQUIRED.filter((t) => !known.includes(t))).toEqual([]);
    expect(known).toEqual([...known].sort());
  });

  it("gives each type its kind; aliases resolve, unknown types do not", () => {
    expect(expectationKind("expect_column_values_to_be_between")).toBe("column_map");
    expect(expectationKind("expect_column_mean_to_be_between")).toBe("column_aggregate");
    expect(expectationKind("expect_compound_columns_to_be_unique")).toBe("multicolumn_map");
    expect(expectationKind("expect_table_row_count_to_equal")).toBe("table");
    expect(expectationKind("expect_select_rows_to_be_empty")).toBe("query");
    expect(expectationKind("expect_nothing")).toBeUndefined();
  });

  it("returns the expectation normalised, accepting GX's older expectation_type key and the SQL check alias", () => {
    expect(
      parseExpectation({
        expectation_type: "expect_column_values_to_not_be_null",
        kwargs: { column: "id" },
        meta: { owner: "x" },
      }),
    ).toEqual({
      type: "expect_column_values_to_not_be_null",
      kwargs: { column: "id" },
      meta: { owner: "x" },
    });
    expect(
      parseExpectation({ type: "expect_select_rows_to_be_empty", kwargs: { sql: "SELECT 1" } }).type,
    ).toBe("expect_sql_to_return_no_rows");
    // GX's result_format / catch_exceptions are accepted so GX suites load unchanged.
    expect(
      parseExpectation({
        type: "expect_column_values_to_be_in_set",
        kwargs: { column: "c", value_set: ["a", 1, true], result_format: "COMPLETE", catch_exceptions: true },
      }).kwargs.value_set,
    ).toEqual(["a", 1, true]);
  });

  it("names the place, the type and the bad argument", () => {
    const error = configError(() =>
      parseExpectation(
        { type: "expect_column_values_to_be_between", kwargs: { column: "age", min_value: "x", mostly: 2 } },
        "suite.yml expectations[3]",
      ),
    );
    expect(error.message).toContain("suite.yml expectations[3] (expect_column_values_to_be_between)");
    expect(error.message).toContain("mostly:");
    expect(error.details.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ argument: "mostly" })]),
    );
  });

  it("refuses unknown kwargs, a between without bounds and a missing column", () => {
    expect(
      configError(() =>
        parseExpectation({
          type: "expect_column_values_to_be_between",
          kwargs: { column: "age", min_vlaue: 1 },
        }),
      ).message,
    ).toContain("min_vlaue");
    expect(
      configError(() =>
        parseExpectation({ type: "expect_column_sum_to_be_between", kwargs: { column: "age" } }),
      ).message,
    ).toContain("min_value and max_value cannot both be null");
    // GX reads a mean without bounds as any mean (a vacuous success), not an error.
    expect(
      parseExpectation({ type: "expect_column_mean_to_be_between", kwargs: { column: "age" } }).type,
    ).toBe("expect_column_mean_to_be_between");
    expect(
      configError(() => parseExpectation({ type: "expect_column_values_to_not_be_null", kwargs: {} }))
        .message,
    ).toContain("column:");
    expect(
      configError(() =>
        parseExpectation({
          type: "expect_column_values_to_match_strftime_format",
          kwargs: { column: "d", strftime_format: "%Q" },
        }),
      ).message,
    ).toContain("%Q is not supported");
  });

  it("suggests close names for an unknown type", () => {
    const error = configError(() =>
      parseExpectation({ type: "expect_column_values_to_be_betwen", kwargs: {} }, "e[0]"),
    );
    expect(error.message).toContain('unknown expectation type "expect_column_values_to_be_betwen"');
    expect(error.details.suggestions).toContain("expect_column_values_to_be_between");
    const far = configError(() => parseExpectation({ type: "column_not_null", kwargs: {} }));
    expect(far.message).toMatch(/did you mean .*expect_column_values_to_not_be_null|known types:/);
  });

  it("refuses shapes that are not expectations", () => {
    expect(configError(() => parseExpectation("expect_x")).message).toContain("expected an object");
    expect(configError(() => parseExpectation({ kwargs: {} })).message).toContain(
      '"type" must name an expectation',
    );
    expect(
      configError(() => parseExpectation({ type: "expect_column_to_exist", kwargs: [] })).message,
    ).toContain('"kwargs" must be an object');
  });
});
