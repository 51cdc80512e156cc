import { describe, expect, it } from "vitest";
import { StreamError } from "../../core/errors.js";
import { type AggregateSpec, aggregateOutputType, normalizeAggregateSpec } from "./aggregate-spec.js";
import { approxCountDistinct, approxQuantile, count, sum } from "./builders.js";
import { compileAggregate } from "./compile-aggregate.js";

function invalid(make: () => unknown, message: RegExp): void {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).code).toBe("STREAM_JOB_INVALID");
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected STREAM_JOB_INVALID");
}

describe("aggregate specs", () => {
  it("builders make the specs a job definition holds, defaults filled in", () => {
    expect(count()).toEqual({ kind: "count" });
    expect(count("x")).toEqual({ kind: "count", field: "x" });
    expect(sum("amount")).toEqual({ kind: "sum", field: "amount" });
    expect(approxCountDistinct("u")).toEqual({ kind: "approx_count_distinct", field: "u", registers: 4096 });
    expect(approxQuantile("l", [0.5, 0.99], { relativeAccuracy: 0.02 })).toEqual({
      kind: "approx_quantile",
      field: "l",
      quantiles: [0.5, 0.99],
      relativeAccuracy: 0.02,
    });
  });

  it("refuses bad specs with STREAM_JOB_INVALID naming the problem", () => {
    invalid(() => sum(""), /field must be a non-empty string/);
    invalid(() => approxCountDistinct("u", { registers: 1000 }), /power of two/);
    invalid(() => approxCountDistinct("u", { registers: 8 }), /power of two/);
    invalid(() => approxQuantile("l", []), /non-empty array/);
    invalid(() => approxQuantile("l", [1.5]), /quantile 1.5/);
    invalid(() => approxQuantile("l", [0.5], { relativeAccuracy: 0 }), /relativeAccuracy/);
    invalid(
      () => compileAggregate({ kind: "median", field: "x" } as unknown as AggregateSpec),
      /unknown kind "median"/,
    );
    invalid(() => compileAggregate({ kind: "sum" } as unknown as AggregateSpec), /field/);
  });

  it("a hand-written spec and a built one normalise alike", () => {
    expect(normalizeAggregateSpec({ kind: "approx_count_distinct", field: "u" })).toEqual(
      normalizeAggregateSpec({ kind: "approx_count_distinct", field: "u", registers: 4096 }),
    );
  });

  it("output types without compiling", () => {
    expect(aggregateOutputType(count())).toBe("bigint");
    expect(aggregateOutputType(approxCountDistinct("x"))).toBe("bigint");
    expect(aggregateOutputType(approxQuantile("x", [0.5]))).toBe("json");
    expect(aggregateOutputType({ kind: "min", field: "x" })).toBe("double");
  });
});
