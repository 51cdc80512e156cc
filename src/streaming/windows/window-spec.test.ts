import { describe, expect, it } from "vitest";
import { StreamError } from "../../core/errors.js";
import { hop, session, tumbling, validateWindowSpec, type WindowSpec } from "./window-spec.js";

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

describe("window specs", () => {
  it("builders read durations", () => {
    expect(tumbling("5m")).toEqual({ kind: "tumbling", sizeMs: 300_000 });
    expect(tumbling(250)).toEqual({ kind: "tumbling", sizeMs: 250 });
    expect(hop("10m", "1m")).toEqual({ kind: "hop", sizeMs: 600_000, slideMs: 60_000 });
    expect(session("30s")).toEqual({ kind: "session", gapMs: 30_000 });
    expect(session("PT1H")).toEqual({ kind: "session", gapMs: 3_600_000 });
  });

  it("refuses bad durations and shapes with STREAM_JOB_INVALID", () => {
    invalid(() => tumbling("5x"), /unknown unit "x"/);
    invalid(() => tumbling(0), /above 0/);
    invalid(() => tumbling(1.5), /whole number/);
    invalid(() => session(-1), /negative|at least 0/);
    invalid(() => hop("1m", "5m"), /slide .* longer than its size/);
    invalid(() => hop("1d", "1s"), /more than 1000 windows/);
    invalid(
      () => validateWindowSpec({ kind: "sliding", sizeMs: 1 } as unknown as WindowSpec),
      /unknown kind "sliding"/,
    );
    invalid(() => validateWindowSpec({ kind: "tumbling" } as unknown as WindowSpec), /sizeMs/);
  });

  it("validation drops stray properties so checkpoints compare what matters", () => {
    expect(validateWindowSpec({ kind: "tumbling", sizeMs: 10, extra: 1 } as unknown as WindowSpec)).toEqual({
      kind: "tumbling",
      sizeMs: 10,
    });
  });
});
