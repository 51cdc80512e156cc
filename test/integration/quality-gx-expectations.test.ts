import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import type { Schema, TableRef } from "../../src/core/types.js";
import { parseExpectation } from "../../src/quality/expectations/registry.js";
import { validateDataset } from "../../src/quality/validate-dataset.js";
import { EXPECTATION_CASES, loadCaseTables } from "../support/expectation-cases.js";
import {
  closeQualityEngine,
  loadTable,
  openQualityEngine,
  QUALITY_ENGINES,
  type QualityEngine,
} from "../support/quality-engines.js";

/** The expectations issue 11 added; their shared cases run in the per-engine case files too. */
const ADDED =
  /like_pattern_list|z_scores|pair_values_to_be_in_set|unique_within_record|equal_other_table|kl_divergence|dateutil|json_schema|unexpected_rows_expectation/;

const NUMBERS: Schema = {
  fields: [
    { name: "id", type: "integer" },
    { name: "x", type: "double" },
    { name: "k", type: "integer" },
    { name: "doc", type: "varchar" },
  ],
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe.each(QUALITY_ENGINES)("the GX expectations of issue 11 on %s", (name) => {
  let e: QualityEngine;
  let numbers: TableRef;
  beforeAll(async () => {
    e = await openQualityEngine(name, "weir_gx_added");
    // x: 0.5 1.5 … 9.5 repeated; k: 7 everywhere (no deviation); doc: JSON text.
    const rows = Array.from({ length: 40 }, (_, i) => [
      i,
      (i % 10) + 0.5,
      7,
      i === 13 ? '{"a": "x"}' : `{"a": ${i}}`,
    ]);
    numbers = await loadTable(e, "numbers", NUMBERS, rows);
  });
  afterAll(async () => closeQualityEngine(e));

  const one = async (table: TableRef | { sql: string }, type: string, kwargs: Record<string, unknown>) =>
    (await validateDataset(e.engine, table, [{ type, kwargs }])).results[0]!;

  it("computes the KL divergence scipy computes, for categorical and continuous partitions", async () => {
    const held = await one(numbers, "expect_column_kl_divergence_to_be_less_than", {
      column: "k",
      partition_object: { values: [6, 8], weights: [0.5, 0.5] },
      tail_weight_holdout: 0.1,
      threshold: 3,
    });
    // scipy.stats.entropy([0, 0, 1], [0.45, 0.45, 0.1]) = ln(10)
    expect(held.success).toBe(true);
    expect(held.result.observed_value).toBeCloseTo(Math.log(10), 14);
    expect(held.result.details).toMatchObject({
      observed_partition: { values: [6, 8, 7], weights: [0, 0, 1] },
      expected_partition: { values: [6, 8, 7], weights: [0.45, 0.45, 0.1] },
    });
    const bins = await one(numbers, "expect_column_kl_divergence_to_be_less_than", {
      column: "x",
      partition_object: { bins: ["-Infinity", 2, 5, "Infinity"], weights: [0.2, 0.3, 0.5] },
      threshold: 0.001,
    });
    // x holds 0.5 … 9.5 evenly: 2 of 10 below 2, 3 in [2, 5), 5 from 5 on — exactly the partition.
    expect(bins.success).toBe(true);
    expect(bins.result.observed_value).toBe(0);
    expect(bins.result.details).toMatchObject({
      observed_partition: { bins: [2, 5], weights: [0.3], tail_weights: [0.2, 0.5] },
    });
    const internal = await one(numbers, "expect_column_kl_divergence_to_be_less_than", {
      column: "x",
      partition_object: { bins: [0, 5, 8, 10], weights: [0.5, 0, 0.5] },
      internal_weight_holdout: 0.1,
      threshold: null,
    });
    // scipy.stats.entropy([0, .5, .3, .2, 0], [0, .45, .1, .45, 0])
    expect(internal.result.observed_value).toBeCloseTo(0.22007790118608023, 14);
  });

  it("refuses partition objects GX refuses, before anything runs", () => {
    const kl = (kwargs: Record<string, unknown>) => () =>
      parseExpectation({
        type: "expect_column_kl_divergence_to_be_less_than",
        kwargs: { column: "x", ...kwargs },
      });
    expect(configError(kl({ partition_object: { values: ["a"], weights: [0.5] } })).message).toContain(
      "Invalid partition object: weights sum to 0.5, not 1",
    );
    expect(
      configError(kl({ partition_object: { values: ["a"], weights: [1] }, internal_weight_holdout: 0.1 }))
        .message,
    ).toContain("Internal weight holdout cannot be used for discrete data.");
    expect(
      configError(
        kl({
          partition_object: { bins: [0, 1], weights: [0.8], tail_weights: [0.1, 0.1] },
          tail_weight_holdout: 0.1,
        }),
      ).message,
    ).toContain("tail_weight_holdout must be 0 when using tail_weights");
    expect(configError(kl({ partition_object: null })).message).toContain("give a partition_object");
    expect(
      configError(kl({ partition_object: { bins: [0, 1], weights: [1] }, threshold: -1 })).message,
    ).toContain("threshold");
  });

  it("gives every value a z-score of its own column, and none when the column does not vary", async () => {
    const constant = await one(numbers, "expect_column_value_z_scores_to_be_less_than", {
      column: "k",
      threshold: 3,
      double_sided: true,
    });
    expect(constant.success).toBe(false);
    expect(constant.result.unexpected_count).toBe(40);
    const spread = await one(numbers, "expect_column_value_z_scores_to_be_less_than", {
      column: "x",
      threshold: 1.5,
    });
    expect(spread.result.unexpected_count).toBe(8); // 0.5 and 9.5 (|z| = 1.547), four times each
    const text = await one(numbers, "expect_column_value_z_scores_to_be_less_than", {
      column: "doc",
      threshold: 1,
    });
    expect(text.exception_info?.exception_message).toContain(
      'column "doc" is varchar: z-scores need a numeric column',
    );
  });

  it("counts another table by a quoted, validated name; never splices it", async () => {
    await e.engine.run(`CREATE SCHEMA IF NOT EXISTS ${e.engine.dialect.quoteIdent(`${e.schema} we"ird`)}`);
    const odd = { schema: `${e.schema} we"ird`, name: "t.x; DROP" };
    await e.engine.createTable(odd, { fields: [{ name: "v", type: "integer" }] });
    await e.engine.run(`INSERT INTO ${e.engine.dialect.quoteTable(odd)} VALUES (1), (2)`);
    const quoted = `"${odd.schema.replaceAll('"', '""')}"."${odd.name}"`;
    const other = await one(numbers, "expect_table_row_count_to_equal_other_table", {
      other_table_name: quoted,
    });
    expect(other.result.observed_value).toEqual({ self: 40, other: 2 });
    const missing = await one(numbers, "expect_table_row_count_to_equal_other_table", {
      other_table_name: "nope",
    });
    expect(missing.success).toBe(false);
    expect(missing.exception_info?.exception_message).toMatch(/nope/);
    const attack = () =>
      parseExpectation({
        type: "expect_table_row_count_to_equal_other_table",
        kwargs: { other_table_name: "numbers; DROP TABLE numbers" },
      });
    expect(configError(attack).message).toContain('";" at character 8');
    expect(
      configError(() =>
        parseExpectation({
          type: "expect_table_row_count_to_equal_other_table",
          kwargs: { other_table_name: "a.b.c" },
        }),
      ).message,
    ).toContain("3 parts");
    expect(await e.engine.describe(numbers)).toBeDefined();
  });

  it("validates JSON values against a schema, streamed in row order; a value that is not JSON fails the expectation", async () => {
    const schema = { type: "object", properties: { a: { type: "integer" } }, required: ["a"] };
    const streamed = await one(numbers, "expect_column_values_to_match_json_schema", {
      column: "doc",
      json_schema: schema,
      result_format: { result_format: "COMPLETE", unexpected_index_column_names: ["id"] },
    });
    expect(streamed.success).toBe(false);
    expect(streamed.result.unexpected_index_list).toEqual([{ id: 13, doc: '{"a": "x"}' }]);
    expect(streamed.result).toMatchObject({
      element_count: 40,
      unexpected_count: 1,
      partial_unexpected_list: ['{"a": "x"}'],
      unexpected_list: ['{"a": "x"}'],
    });
    const draft7 = await one(numbers, "expect_column_values_to_match_json_schema", {
      column: "doc",
      json_schema: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", required: ["b"] },
      result_format: "BOOLEAN_ONLY",
    });
    expect(draft7).toMatchObject({ success: false, result: {} });
    const notJson = await one(
      { sql: `SELECT '"ok"' AS v UNION ALL SELECT '{"a": 1,}'` },
      "expect_column_values_to_match_json_schema",
      {
        column: "v",
        json_schema: {},
      },
    );
    expect(notJson.exception_info?.exception_message).toMatch(/row \d \(value "\{\\"a\\": 1,\}"\): not JSON/);
    expect(
      configError(() =>
        parseExpectation({
          type: "expect_column_values_to_match_json_schema",
          kwargs: { column: "doc", json_schema: { type: "nonsense" } },
        }),
      ).message,
    ).toContain("not a valid JSON Schema");
  });

  it("reads values dateutil reads only from text columns, as GX", async () => {
    const typed = await one(numbers, "expect_column_values_to_be_dateutil_parseable", { column: "x" });
    expect(typed.exception_info?.exception_message).toContain("must be of type string");
  });

  it("runs GX's unexpected_rows_expectation through the read-only SQL check", () => {
    expect(
      configError(() =>
        parseExpectation({
          type: "unexpected_rows_expectation",
          kwargs: { unexpected_rows_query: "DELETE FROM {batch} RETURNING *" },
        }),
      ).message,
    ).toContain("it begins with DELETE, not a query");
  });

  it("returns the same result objects on every engine, case by case and as whole suites", async () => {
    if (name !== "postgres") return;
    const { DuckDBEngine } = await import("../../src/engines/duckdb/duckdb-engine.js");
    const duck = await DuckDBEngine.create();
    try {
      const duckTables = await loadCaseTables(duck, "cases");
      const pgTables = await loadCaseTables(e.engine, `${e.schema}_cases`);
      for (const table of ["people", "empty", "hostile"] as const) {
        const expectations = EXPECTATION_CASES.filter(
          (c) => c.table === table && ADDED.test(c.expectation.type),
        ).map((c) => c.expectation);
        const onPg = await validateDataset(e.engine, pgTables[table], expectations);
        const onDuck = await validateDataset(duck, duckTables[table], expectations);
        for (const [i, r] of onPg.results.entries()) expect(r, r.expectation.type).toEqual(onDuck.results[i]);
      }
    } finally {
      await duck.close();
      await e.engine.run(`DROP SCHEMA IF EXISTS ${e.schema}_cases CASCADE`);
    }
  });
});
