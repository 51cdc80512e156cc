import type { Transformation, TransformationSubtype } from "./lineage-types.js";

export const IDENTITY: Transformation = { type: "DIRECT", subtype: "IDENTITY" };
export const TRANSFORMATION: Transformation = { type: "DIRECT", subtype: "TRANSFORMATION" };
export const AGGREGATION: Transformation = { type: "DIRECT", subtype: "AGGREGATION" };

export function direct(
  subtype: "IDENTITY" | "TRANSFORMATION" | "AGGREGATION",
  masking = false,
): Transformation {
  return masking ? { type: "DIRECT", subtype, masking: true } : { type: "DIRECT", subtype };
}

export function indirect(
  subtype: Exclude<TransformationSubtype, "IDENTITY" | "TRANSFORMATION" | "AGGREGATION">,
): Transformation {
  return { type: "INDIRECT", subtype };
}

/** Direct subtypes from the strongest claim about the value to the weakest (OpenLineage's Spark order). */
const DIRECT_RANK: Partial<Record<TransformationSubtype, number>> = {
  AGGREGATION: 0,
  TRANSFORMATION: 1,
  IDENTITY: 2,
};

/**
 * The transformation from an input to an output through an intermediate value: `outer`
 * relates the intermediate to the output, `inner` the input to the intermediate. As in
 * OpenLineage's Spark integration (`TransformationInfo.merge`): an indirect outer wins (a
 * column filtered on stays a filter, whatever computed it), else an indirect inner wins,
 * else the stronger direct subtype (AGGREGATION over TRANSFORMATION over IDENTITY);
 * masking is kept when either side masks. IDENTITY without masking is the neutral element,
 * so an expression's lineage can be computed once and composed with each use.
 */
export function compose(outer: Transformation, inner: Transformation): Transformation {
  let chosen: Transformation;
  if (outer.type === "INDIRECT") chosen = outer;
  else if (inner.type === "INDIRECT") chosen = inner;
  else chosen = (DIRECT_RANK[inner.subtype] ?? 2) < (DIRECT_RANK[outer.subtype] ?? 2) ? inner : outer;
  const masking = outer.masking === true || inner.masking === true;
  return masking
    ? { type: chosen.type, subtype: chosen.subtype, masking }
    : { type: chosen.type, subtype: chosen.subtype };
}

export function isNeutral(transformation: Transformation): boolean {
  return transformation.subtype === "IDENTITY" && transformation.masking !== true;
}

export function transformationKey(t: Transformation): string {
  return `${t.type}/${t.subtype}${t.masking ? "/masked" : ""}`;
}
