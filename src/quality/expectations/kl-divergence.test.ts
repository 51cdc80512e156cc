import { describe, expect, it } from "vitest";
import { categoricalDivergence, continuousDivergence, entropy } from "./kl-divergence.js";
import { type CategoricalPartition, type ContinuousPartition, readPartition } from "./partition-object.js";

// Reference values from scipy.stats.entropy (scipy 1.17) on the same weights GX's _validate builds.
const categorical = (values: string[], weights: number[]): CategoricalPartition => ({
  kind: "categorical",
  values,
  weights,
});
const counts = (nonNull: number, expected: number[], unexpected: { value: unknown; count: number }[]) => ({
  nonNull,
  expected,
  unexpected,
  complete: true,
  unexpectedDistinct: unexpected.length,
  unexpectedRows: unexpected.reduce((a, u) => a + u.count, 0),
  unexpectedRowsLogRows: unexpected.reduce((a, u) => a + u.count * Math.log(u.count), 0),
});
// score column of the shared case table, without its NULL: -1, 0.5, 1.5, 2, 2.25, 3.75, 4
const continuous = (bins: number[], weights: number[], tail?: [number, number]): ContinuousPartition => ({
  kind: "continuous",
  bins,
  weights,
  ...(tail ? { tail_weights: tail } : {}),
});

describe("KL divergence as GX computes it", () => {
  it("matches scipy.stats.entropy, normalising both sides", () => {
    expect(entropy([5, 3, 2], [1, 1, 1])).toBeCloseTo(0.06895927460353624, 15);
    expect(entropy([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(2), 15);
    expect(entropy([1, 1], [1, 0])).toBe(Number.POSITIVE_INFINITY);
    expect(entropy([0, 0], [0.5, 0.5])).toBeNaN();
  });

  it("categorical: values outside the partition share tail_weight_holdout; absent ones weigh 0", () => {
    const partition = categorical(["US", "FR"], [0.5, 0.5]);
    const found = counts(7, [4, 2], [{ value: "DE", count: 1 }]);
    const held = categoricalDivergence(partition, found, 0.1);
    expect(held.kl).toBeCloseTo(0.057676004644704945, 14);
    expect(held.details).toEqual({
      observed_partition: { values: ["US", "FR", "DE"], weights: [4 / 7, 2 / 7, 1 / 7] },
      expected_partition: { values: ["US", "FR", "DE"], weights: [0.45, 0.45, 0.1] },
    });
    expect(categoricalDivergence(partition, found, 0).kl).toBe(Number.POSITIVE_INFINITY);
    const absent = categoricalDivergence(
      categorical(["US", "FR", "XX"], [0.4, 0.4, 0.2]),
      counts(6, [4, 2, 0], []),
      0,
    );
    expect(absent.kl).toBeCloseTo(entropy([4, 2, 0], [0.4, 0.4, 0.2]), 15);
    expect(categoricalDivergence(partition, counts(0, [0, 0], []), 0).kl).toBeNaN();
  });

  it("categorical: the divergence from sums when the outside values were not all listed equals the listed one", () => {
    const partition = categorical(["a", "b"], [0.6, 0.4]);
    const outside = [
      { value: "c", count: 3 },
      { value: "d", count: 5 },
      { value: "e", count: 1 },
    ];
    const full = counts(30, [12, 9], outside);
    const listed = categoricalDivergence(partition, full, 0.3).kl;
    const fromSums = categoricalDivergence(
      partition,
      { ...full, unexpected: outside.slice(0, 1), complete: false },
      0.3,
    );
    expect(fromSums.kl).toBeCloseTo(listed, 13);
    expect(fromSums.details.observed_values_truncated).toBe(true);
  });

  it("continuous: histogram, tails outside the bins, holdouts as GX", () => {
    const hist = { nonNull: 7, bins: [2, 4], below: 1, above: 0 };
    const finite = continuousDivergence(continuous([0, 2, 4], [0.5, 0.5]), hist, 0.2, 0);
    expect(finite.kl).toBeCloseTo(0.15863289235017647, 14);
    expect(finite.details).toEqual({
      observed_partition: { bins: [0, 2, 4], weights: [2 / 7, 4 / 7], tail_weights: [1 / 7, 0] },
      expected_partition: { bins: [0, 2, 4], weights: [0.4, 0.4], tail_weights: [0.1, 0.1] },
    });
    const both = continuousDivergence(
      continuous([-Infinity, 0, 2, Infinity], [0.1, 0.3, 0.6]),
      { nonNull: 7, bins: [1, 2, 4], below: 0, above: 0 },
      0,
      0,
    );
    expect(both.kl).toBeCloseTo(0.009133422703162877, 14);
    expect(both.details.expected_partition).toEqual({
      bins: [0, 2],
      weights: [0.3],
      tail_weights: [0.1, 0.6],
    });
    const internal = continuousDivergence(
      continuous([-1, 0, 2, 5], [0.5, 0, 0.5]),
      { nonNull: 7, bins: [1, 2, 4], below: 0, above: 0 },
      0,
      0.1,
    );
    expect(internal.kl).toBeCloseTo(0.27254420418417263, 14);
    const left = continuousDivergence(
      continuous([-Infinity, 2, 4], [0.4, 0.6]),
      { nonNull: 7, bins: [3, 4], below: 0, above: 0 },
      0.1,
      0,
    );
    expect(left.kl).toBeCloseTo(0.1070487953411301, 14);
    expect(left.details.observed_partition).toEqual({
      bins: [2, 4],
      weights: [4 / 7],
      tail_weights: [3 / 7, 0],
    });
    // Data outside the bins with no tail weight: infinite. An empty column: undefined (null weights).
    expect(continuousDivergence(continuous([0, 2, 4], [0.5, 0.5]), hist, 0, 0).kl).toBe(
      Number.POSITIVE_INFINITY,
    );
    const empty = continuousDivergence(
      continuous([0, 2, 4], [0.5, 0.5]),
      { nonNull: 0, bins: [0, 0], below: 0, above: 0 },
      0,
      0,
    );
    expect(empty.kl).toBeNaN();
    expect(empty.details.observed_partition).toEqual({
      bins: [0, 2, 4],
      weights: [null, null],
      tail_weights: [null, null],
    });
  });

  it("reads GX's partition objects and says what is wrong with a bad one", () => {
    expect(readPartition({ bins: ["-Infinity", 0, "Infinity"], weights: [0.5, 0.5] })).toEqual(
      continuous([-Infinity, 0, Infinity], [0.5, 0.5]),
    );
    expect(readPartition({ values: ["a", 1, true], weights: [0.2, 0.3, 0.5] }).kind).toBe("categorical");
    const problem = (value: unknown) => {
      try {
        readPartition(value);
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    expect(problem({ values: ["a", "b"], weights: [0.5, 0.4] })).toBe("weights sum to 0.9, not 1");
    expect(problem({ values: ["a", "a"], weights: [0.5, 0.5] })).toContain("only once");
    expect(problem({ values: ["a"], weights: [0.5, 0.5] })).toContain("1 values but 2 weights");
    expect(problem({ bins: [0, 1], weights: [0.5, 0.5] })).toContain("one more edge than weights");
    expect(problem({ bins: [0, 2, 1], weights: [0.5, 0.5] })).toBe("bins must be strictly increasing");
    expect(problem({ bins: [0, 1, 2], weights: [0.4, 0.4], tail_weights: [0.1] })).toContain("two weights");
    expect(problem({ bins: [0, 1, 2], weights: [0.4, 0.4], tail_weights: [0.1, 0.1] })).toBe("no error");
    expect(problem({ weights: [1] })).toContain("expected values (categorical) or bins (continuous)");
  });
});
