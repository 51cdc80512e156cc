import type { QualityCheck } from "./api/types.js";

/** A check's score as one number (share of passed checks), whichever shape the API sent. */
export function checkScore(score: QualityCheck["score"]): number | undefined {
  if (typeof score === "number") return score;
  return score?.checks ?? undefined;
}
