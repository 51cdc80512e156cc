import type { Outcome } from "./expectation-definition.js";
import type { MapCounts } from "./map-evidence.js";

export type { MapCounts } from "./map-evidence.js";

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
 * A map expectation's outcome from its counts and unexpected values (in row order): the
 * verdict now, the result once a result format shapes the evidence (`../format-result.ts`).
 * Percents are of the non-missing rows, or — for the expectations about NULLs, which test
 * every row — of all rows.
 */
export function mapOutcome(
  counts: MapCounts,
  values: unknown[] | undefined,
  options: { mostly?: number | undefined; aboutNulls?: boolean },
): Outcome {
  const aboutNulls = options.aboutNulls === true;
  const considered = aboutNulls ? counts.element : counts.element - counts.missing;
  return {
    success: mostlySuccess(considered, counts.unexpected, options.mostly),
    result: {},
    evidence: { counts, aboutNulls, mostly: options.mostly, ...(values ? { values } : {}) },
  };
}
