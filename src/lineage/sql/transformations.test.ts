import { describe, expect, it } from "vitest";
import { AGGREGATION, compose, direct, IDENTITY, indirect, TRANSFORMATION } from "./transformations.js";

describe("compose", () => {
  it("keeps the stronger direct subtype and IDENTITY is neutral", () => {
    expect(compose(IDENTITY, TRANSFORMATION)).toEqual(TRANSFORMATION);
    expect(compose(TRANSFORMATION, IDENTITY)).toEqual(TRANSFORMATION);
    expect(compose(AGGREGATION, TRANSFORMATION)).toEqual(AGGREGATION);
    expect(compose(TRANSFORMATION, AGGREGATION)).toEqual(AGGREGATION);
    expect(compose(IDENTITY, IDENTITY)).toEqual(IDENTITY);
  });

  it("lets an indirect outer win, then an indirect inner", () => {
    expect(compose(indirect("FILTER"), AGGREGATION)).toEqual(indirect("FILTER"));
    expect(compose(indirect("FILTER"), indirect("JOIN"))).toEqual(indirect("FILTER"));
    expect(compose(TRANSFORMATION, indirect("CONDITIONAL"))).toEqual(indirect("CONDITIONAL"));
  });

  it("keeps masking from either side", () => {
    expect(compose(direct("TRANSFORMATION", true), IDENTITY)).toEqual({
      type: "DIRECT",
      subtype: "TRANSFORMATION",
      masking: true,
    });
    expect(compose(indirect("SORT"), direct("AGGREGATION", true))).toEqual({
      type: "INDIRECT",
      subtype: "SORT",
      masking: true,
    });
    expect(compose(IDENTITY, TRANSFORMATION)).not.toHaveProperty("masking");
  });
});
