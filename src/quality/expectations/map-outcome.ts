import type { Outcome } from "./expectation-definition.js";
import { percent } from "./result-values.js";

export interface MapCounts {
  /** Rows considered (inside row_condition). */
  element: number;
  /** Considered rows skipped as missing (NULL). */
  missing: number;
  /** Considered, non-missing rows that failed. */
  unexpected: number;
}

/**
 * GX's `_mostly_success`: the passing share of the rows considered reaches `mostly`
 * (default 1); `math.isclose` keeps `mostly: 0.9` from failing on 9/10 by rounding.
 */
export function mostlySuccess(considered: number, unexpected: number, mostly = 1): boolean {
  if (considered === 0) return true; // nothing to test: vacuously true, as GX
  const ratio = (considered - unexpected) / considered;
  return ratio >= mostly || Math.abs(ratio - mostly) <= 1e-9 * Math.max(Math.abs(ratio), Math.abs(mostly));
}

/**
 * The result of a map expectation, as GX's `_format_map_output`: percents of the non-missing
 * rows, or — for the expectations about NULLs, which test every row — of all rows, and then
 * without `missing_*`.
 */
export function mapOutcome(
  counts: MapCounts,
  sample: unknown[],
  options: { mostly?: number | undefined; aboutNulls?: boolean },
): Outcome {
  if (options.aboutNulls) {
    return {
      success: mostlySuccess(counts.element, counts.unexpected, options.mostly),
      result: {
        element_count: counts.element,
        unexpected_count: counts.unexpected,
        unexpected_percent: percent(counts.unexpected, counts.element),
        partial_unexpected_list: sample,
      },
    };
  }
  const nonMissing = counts.element - counts.missing;
  const unexpectedPercent = percent(counts.unexpected, nonMissing);
  return {
    success: mostlySuccess(nonMissing, counts.unexpected, options.mostly),
    result: {
      element_count: counts.element,
      missing_count: counts.missing,
      missing_percent: percent(counts.missing, counts.element),
      unexpected_count: counts.unexpected,
      unexpected_percent: unexpectedPercent,
      unexpected_percent_nonmissing: unexpectedPercent,
      partial_unexpected_list: sample,
    },
  };
}
