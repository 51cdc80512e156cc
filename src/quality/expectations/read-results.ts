import type { Row } from "../../core/batch.js";
import type { CompiledExpectation, CompiledSuite } from "../compile-expectations.js";
import { readCollection } from "../row-collection.js";
import {
  type GroupOutput,
  type GroupRow,
  MAX_OBSERVED_VALUES,
  type MapPlan,
} from "./expectation-definition.js";
import type { MapEvidence } from "./map-evidence.js";
import { samplesFromJson, toCount } from "./result-values.js";

/**
 * Turns the rows of expectation queries back into GX results: counts, the first failing
 * rows (JSON of value texts, read back by column type) and GROUP BY outputs.
 */

/** A map plan's evidence from its main-scan counts and first failing rows. */
export function mapEvidence(
  plan: MapPlan,
  item: CompiledExpectation,
  v: Record<string, unknown>,
  layout: "rows" | "columns",
): MapEvidence {
  const counts = {
    element: toCount(v.element),
    missing: toCount(v.missing),
    unexpected: toCount(v.unexpected),
  };
  return {
    counts,
    aboutNulls: plan.aboutNulls === true,
    mostly: plan.mostly,
    ...(item.collect ? readCollection(v.sample ?? null, item.collect, counts.unexpected, layout) : {}),
  };
}

/** What a GROUP BY pass produced for one of its expectations. */
export function groupOutput(
  row: Row,
  item: CompiledExpectation,
  main: Record<string, unknown>,
  suite: CompiledSuite,
): GroupOutput {
  const group = item.group!;
  const types = [...suite.groups[group.query]!.keys.map((k) => k.type), "bigint" as const];
  const rowsOf = (json: unknown): GroupRow[] =>
    samplesFromJson(json, types).map((r) => {
      const values = r as unknown[];
      return { key: values.slice(0, -1), n: toCount(values.at(-1)) };
    });
  const distinct = rowsOf(row.weir_distinct);
  const modes = rowsOf(row.weir_modes);
  return {
    main,
    stats: pick(row, group.stats),
    duplicates: rowsOf(row.weir_duplicates),
    distinct: distinct.slice(0, MAX_OBSERVED_VALUES),
    distinctTruncated: distinct.length > MAX_OBSERVED_VALUES,
    modes: modes.slice(0, MAX_OBSERVED_VALUES),
    modesTruncated: modes.length > MAX_OBSERVED_VALUES,
    sampleSize: suite.sampleSize,
  };
}

/** The values of `aliases` in `row`, by local name. */
export function pick(row: Row, aliases: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(aliases).map(([name, alias]) => [name, row[alias] ?? null]));
}
