import { describe, expect, it } from "vitest";
import { count, sum } from "./aggregates/index.js";
import { defineStreamJob, type StreamJobInput } from "./define-stream-job.js";
import { compileEventSchema, eventChecker } from "./event-schema.js";
import { tumbling } from "./windows/index.js";

const base: StreamJobInput = {
  id: "clicks",
  source: { type: "file", path: "x.ndjson" },
  schema: { user: "string", at: "timestamp", n: "integer?" },
  eventTime: { field: "at", maxOutOfOrderness: "5s" },
};

describe("defineStreamJob", () => {
  it("turns durations into milliseconds with the documented defaults", () => {
    const job = defineStreamJob(base);
    expect(job.kind).toBe("stream-job");
    expect(job.timing).toEqual({
      maxOutOfOrdernessMs: 5_000,
      allowedLatenessMs: 0,
      idleTimeoutMs: undefined,
      maxFutureMs: 86_400_000,
      checkpointEveryMs: 1_000,
      checkpointEveryMessages: 200_000,
    });
  });

  const invalid: [StreamJobInput, RegExp][] = [
    [{ ...base, id: "1bad" }, /id must start with a letter/],
    [{ ...base, schema: { user: "text" } } as unknown as StreamJobInput, /field "user" has type "text"/],
    [
      { ...base, eventTime: { field: "nope", maxOutOfOrderness: "1s" } },
      /eventTime.field "nope" is not a declared field/,
    ],
    [{ ...base, eventTime: { field: "user", maxOutOfOrderness: "1s" } }, /must be declared "timestamp"/],
    [{ ...base, events: { lake: "raw.x", partitionBy: ["day"] } }, /partitionBy column "day"/],
    [
      {
        ...base,
        windows: {
          window: tumbling("1m"),
          groupBy: ["who"],
          aggregates: { n: count() },
          mode: "update",
          table: "t",
        },
      },
      /groupBy column "who"/,
    ],
    [
      {
        ...base,
        windows: {
          window: tumbling("1m"),
          groupBy: ["user"],
          aggregates: { s: sum("x") },
          mode: "append",
          table: "t",
        },
      },
      /aggregate "s" reads "x"/,
    ],
    [{ ...base, eventTime: { field: "at", maxOutOfOrderness: "5 parsecs" } }, /maxOutOfOrderness/],
  ];
  it.each(invalid)("refuses an invalid job with a message naming the problem (%#)", (input, message) => {
    expect(() => defineStreamJob(input)).toThrow(message);
  });
});

describe("eventChecker", () => {
  const check = eventChecker(
    compileEventSchema({ id: "integer", user: "string", tags: "object?", at: "timestamp" }, "j"),
  );
  it("accepts an event that fits and names the field and expectation of one that does not", () => {
    expect(check({ id: 1, user: "u", at: "2024-01-01T00:00:00Z" })).toBeUndefined();
    expect(check({ id: 1, user: "u", tags: null, at: 1_700_000_000_000 })).toBeUndefined();
    expect(check({ id: "1", user: "u", at: "2024-01-01T00:00:00Z" })).toBe(
      'field "id": expected integer, got the string "1"',
    );
    expect(check({ id: 1.5, user: "u", at: "2024-01-01T00:00:00Z" })).toMatch(
      /field "id": expected integer, got number 1.5/,
    );
    expect(check({ id: 1, at: "2024-01-01T00:00:00Z" })).toBe('field "user": expected string, missing');
    expect(check({ id: 1, user: "u", tags: [1], at: "2024-01-01T00:00:00Z" })).toBe(
      'field "tags": expected object, got an array',
    );
    expect(check({ id: 1, user: "u", at: "yesterday" })).toMatch(/field "at": expected timestamp/);
    expect(check({ id: 1, user: "u\u00002", at: "2024-01-01T00:00:00Z" })).toMatch(
      /field "user": a string holding a NUL/,
    );
  });
});
