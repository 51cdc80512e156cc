import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { datasetsOf, describeDatasetCondition, parseDatasetCondition } from "./dataset-condition.js";

describe("parseDatasetCondition", () => {
  it("reads a name, a list (all of) and nested all/any", () => {
    expect(parseDatasetCondition("lake.raw.orders")).toBe("lake.raw.orders");
    expect(parseDatasetCondition(["a", "b"])).toEqual({ all: ["a", "b"] });
    expect(parseDatasetCondition({ any: ["a", { all: ["b", "c"] }] })).toEqual({
      any: ["a", { all: ["b", "c"] }],
    });
    expect(parseDatasetCondition({ all: [["x", "y"], "z"] })).toEqual({ all: [{ all: ["x", "y"] }, "z"] });
  });

  it.each([
    [{ any: [] }, /report schedule: "any" needs at least one dataset/],
    [[], /"all" needs at least one dataset/],
    ["", /dataset name "" must be non-empty/],
    ["two words", /dataset name "two words" must be non-empty and contain no spaces/],
    [
      { all: ["a"], any: ["b"] },
      /expected a dataset name, a list of names, \{ all: \[...\] \} or \{ any: \[...\] \}/,
    ],
    [{ one: ["a"] }, /expected a dataset name/],
    [42, /got 42/],
    [{ all: ["a", 5] }, /report schedule.all\[1\]: expected a dataset name/],
  ])("rejects %j", (spec, message) => {
    expect(() => parseDatasetCondition(spec, "report schedule")).toThrow(ConfigError);
    expect(() => parseDatasetCondition(spec, "report schedule")).toThrow(message);
  });
});

describe("datasetsOf and describeDatasetCondition", () => {
  const condition = parseDatasetCondition({
    all: ["lake.raw.orders", { any: ["crm.a", "crm.b"] }, "lake.raw.orders"],
  });

  it("lists each dataset once, in order", () => {
    expect(datasetsOf(condition)).toEqual(["lake.raw.orders", "crm.a", "crm.b"]);
  });

  it("describes conditions for humans", () => {
    expect(describeDatasetCondition(condition)).toBe(
      "lake.raw.orders and (crm.a or crm.b) and lake.raw.orders",
    );
    expect(describeDatasetCondition("x")).toBe("x");
    expect(describeDatasetCondition({ any: [{ all: ["a"] }] })).toBe("a");
  });
});
