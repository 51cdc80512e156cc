import { Document, isMap, isScalar, isSeq, visit } from "yaml";
import type { ColumnProfile, DatasetProfile } from "./profile.js";
import { DATE_TYPES, dateRange, mostlyFor, tolerantRange } from "./suggest-bounds.js";
import type { SuiteInput } from "./suite.js";

export interface SuggestSuiteOptions {
  name?: string;
  dataset?: string;
  /** The row-count band is rows × (1 ± tolerance); default 0.5. */
  rowCountTolerance?: number;
  /** Text columns with at most this many distinct values get an in-set expectation; default 10. */
  maxSetSize?: number;
  /** Value ranges are widened by this share of themselves (then rounded outward); default 0.1. */
  rangeTolerance?: number;
}

type SuggestedExpectation = NonNullable<SuiteInput["expectations"]>[number];

/**
 * A starting suite from a profile, in the spirit of GX's onboarding data assistant: every
 * suggestion holds on the profiled data, with room for the next batch, so the suite passes
 * today and flags drift tomorrow. Suggestions: a row-count band (warn); per column
 * not-null (with `mostly` tolerating about twice the NULLs seen, when some were), unique
 * where every value was distinct, a range for numbers (but identifiers: unique whole
 * numbers) and dates widened and rounded outward (see `tolerantRange`, `dateRange`), not-in-set for text that stands for a
 * missing value ("NA", "", …; with `mostly`), in-set for low-cardinality text, length
 * bounds for text; and a schema contract of the columns and types seen. A file's name
 * loses its extension in the suite's name and dataset (`customers.csv` → `customers`).
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
  const rangeTolerance = options.rangeTolerance;
  for (const c of profile.columns) {
    if (n === 0) break;
    const column = c.name;
    if (c.nullCount === 0) {
      expectations.push({ type: "expect_column_values_to_not_be_null", kwargs: { column } });
    } else {
      const mostly = mostlyFor(c.nullCount / n);
      if (mostly !== undefined)
        expectations.push({ type: "expect_column_values_to_not_be_null", kwargs: { column, mostly } });
    }
    const unique = c.count > 1 && c.distinctCount === c.count;
    if (unique) expectations.push({ type: "expect_column_values_to_be_unique", kwargs: { column } });
    // No range for a unique whole number: it is an identifier, and the next batch's are new.
    const identifier = unique && (c.type === "integer" || c.type === "bigint");
    const range = identifier ? undefined : rangeOf(c, profile, rangeTolerance);
    if (range) {
      expectations.push({
        type: "expect_column_values_to_be_between",
        kwargs: { column, min_value: range.min, max_value: range.max },
      });
    }
    if (c.type === "varchar") {
      const missing = new Set(c.missingLike?.values ?? []);
      if (c.missingLike && c.count > 0) {
        // Text that means "no value" is not NULL: name it, and tolerate about the share seen.
        const mostly = mostlyFor(c.missingLike.count / c.count);
        expectations.push({
          type: "expect_column_values_to_not_be_in_set",
          kwargs: { column, value_set: [...missing], ...(mostly === undefined ? {} : { mostly }) },
        });
      }
      // A set only where values repeat: a handful of unique names is not a category. Missing-
      // like values stay in it (the profiled data must pass); not-in-set above flags them.
      const categories = c.values?.filter((v) => !missing.has(v)) ?? [];
      if (c.values && categories.length > 0 && c.values.length <= maxSet && c.count >= 2 * c.values.length) {
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
    name: withoutFileExtension(options.name ?? `${profile.target} (suggested)`),
    ...(options.dataset ? { dataset: withoutFileExtension(options.dataset) } : {}),
    expectations,
    schema: { columns: profile.columns.map((c) => ({ name: c.name, type: c.type })) },
  };
}

/** The range to suggest for a numeric or date column, if any. */
function rangeOf(
  c: ColumnProfile,
  profile: DatasetProfile,
  tolerance: number | undefined,
): { min: number | string; max: number | string } | undefined {
  if (typeof c.min === "number" && typeof c.max === "number") {
    if (!Number.isSafeInteger(Math.trunc(c.min)) || !Number.isSafeInteger(Math.trunc(c.max)))
      return undefined;
    const integer = c.type === "integer" || c.type === "bigint";
    return tolerantRange(c.min, c.max, { integer, ...(tolerance === undefined ? {} : { tolerance }) });
  }
  if (DATE_TYPES.includes(c.type) && typeof c.min === "string" && typeof c.max === "string") {
    return dateRange(c.min, c.max, new Date(profile.profiledAt));
  }
  return undefined;
}

/** "customers.csv" → "customers", "orders-*.parquet" → "orders-*": a suite names data, not its file. */
export function withoutFileExtension(name: string): string {
  return name.replace(/\.(csv|tsv|parquet|ndjson|jsonl|json)(\.(gz|zst))?(?=$| \(suggested\)$)/i, "");
}

/**
 * What a person should know about the suggestions, for the suite file's header: columns
 * whose text stands for missing values.
 */
export function suggestionNotes(profile: DatasetProfile): string[] {
  return profile.columns
    .filter((c) => c.missingLike)
    .map(
      (c) =>
        `column ${JSON.stringify(c.name)}: ${c.missingLike!.count} value(s) look missing but are not NULL (${c.missingLike!.values.map((v) => JSON.stringify(v)).join(", ")}); suggested as expect_column_values_to_not_be_in_set`,
    );
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
