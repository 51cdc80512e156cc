import { Document, isMap, isScalar, isSeq, visit } from "yaml";
import type { DatasetProfile } from "./profile.js";
import type { SuiteInput } from "./suite.js";

export interface SuggestSuiteOptions {
  name?: string;
  dataset?: string;
  /** The row-count band is rows × (1 ± tolerance); default 0.5. */
  rowCountTolerance?: number;
  /** Text columns with at most this many distinct values get an in-set expectation; default 10. */
  maxSetSize?: number;
}

type SuggestedExpectation = NonNullable<SuiteInput["expectations"]>[number];

/**
 * A starting suite from a profile, in the spirit of GX's onboarding profiler: every
 * suggestion holds on the profiled data, so the suite passes today and flags drift
 * tomorrow. Suggestions: a row-count band (warn); per column not-null where no NULLs were
 * seen, unique where every value was distinct, between the observed min and max for
 * numbers, in-set for low-cardinality text, length bounds for text; and a schema contract
 * of the columns and types seen.
 *
 * @example
 * const suite = defineSuite(suggestSuite(await profileDataset(engine, { name: "dim_customers" })));
 */
export function suggestSuite(profile: DatasetProfile, options: SuggestSuiteOptions = {}): SuiteInput {
  const tolerance = options.rowCountTolerance ?? 0.5;
  const maxSet = options.maxSetSize ?? 10;
  const n = profile.rowCount;
  const expectations: SuggestedExpectation[] = [
    {
      type: "expect_table_row_count_to_be_between",
      kwargs: { min_value: Math.floor(n * (1 - tolerance)), max_value: Math.ceil(n * (1 + tolerance)) },
      severity: "warn",
    },
  ];
  for (const c of profile.columns) {
    if (n === 0) break;
    const column = c.name;
    if (c.nullCount === 0)
      expectations.push({ type: "expect_column_values_to_not_be_null", kwargs: { column } });
    if (c.count > 1 && c.distinctCount === c.count) {
      expectations.push({ type: "expect_column_values_to_be_unique", kwargs: { column } });
    }
    if (
      typeof c.min === "number" &&
      typeof c.max === "number" &&
      Number.isSafeInteger(Math.trunc(c.min)) &&
      Number.isSafeInteger(Math.trunc(c.max))
    ) {
      expectations.push({
        type: "expect_column_values_to_be_between",
        kwargs: { column, min_value: c.min, max_value: c.max },
      });
    }
    if (c.type === "varchar") {
      // A set only where values repeat: a handful of unique names is not a category.
      if (c.values && c.values.length <= maxSet && c.count >= 2 * c.values.length) {
        expectations.push({
          type: "expect_column_values_to_be_in_set",
          kwargs: { column, value_set: c.values },
        });
      }
      if (c.length && c.length.min !== null && c.length.max !== null) {
        expectations.push({
          type: "expect_column_value_lengths_to_be_between",
          kwargs: { column, min_value: c.length.min, max_value: c.length.max },
        });
      }
    }
  }
  return {
    name: options.name ?? `${profile.target} (suggested)`,
    ...(options.dataset ? { dataset: options.dataset } : {}),
    expectations,
    schema: { columns: profile.columns.map((c) => ({ name: c.name, type: c.type })) },
  };
}

/** The suite as YAML for `loadSuiteFile`, with a header saying where it came from. kwargs and columns stay on one line each. */
export function suiteToYaml(suite: SuiteInput, header?: string): string {
  const doc = new Document(suite);
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key)) return;
      if (pair.key.value === "kwargs" && isMap(pair.value)) pair.value.flow = true;
      if (pair.key.value === "columns" && isSeq(pair.value)) {
        for (const item of pair.value.items) if (isMap(item)) item.flow = true;
      }
    },
  });
  const body = doc.toString({ lineWidth: 0 });
  return header
    ? `${header
        .split("\n")
        .map((l) => `# ${l}`)
        .join("\n")}\n${body}`
    : body;
}
