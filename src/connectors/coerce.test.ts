import { describe, expect, it } from "vitest";
import { coerceColumns, coerceValue, valueText } from "./coerce.js";

describe("coerceValue", () => {
  it("parses whole numbers strictly", () => {
    expect(coerceValue("42", "integer")).toEqual({ ok: true, value: 42 });
    expect(coerceValue(7n, "integer")).toEqual({ ok: true, value: 7 });
    expect(coerceValue("abc", "integer").ok).toBe(false);
    expect(coerceValue("1.5", "integer").ok).toBe(false);
    expect(coerceValue(3000000000, "integer").ok).toBe(false);
    expect(coerceValue("9223372036854775807", "bigint")).toEqual({ ok: true, value: 9223372036854775807n });
    expect(coerceValue("9223372036854775808", "bigint").ok).toBe(false);
  });

  it("validates dates and timestamps, normalising zones to UTC", () => {
    expect(coerceValue("2024-02-29", "date")).toEqual({ ok: true, value: "2024-02-29" });
    const bad = coerceValue("2024-13-45", "date");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('"2024-13-45"');
    expect(coerceValue("not-a-date", "timestamp").ok).toBe(false);
    expect(coerceValue("2024-01-02T03:04:05.123456Z", "timestamp")).toEqual({
      ok: true,
      value: "2024-01-02 03:04:05.123456",
    });
    expect(coerceValue("2024-01-02 03:04:05+02:00", "timestamptz")).toEqual({
      ok: true,
      value: "2024-01-02T01:04:05Z",
    });
    expect(coerceValue("2024-01-02", "timestamp")).toEqual({ ok: true, value: "2024-01-02 00:00:00" });
  });

  it("handles booleans, decimals, json, text and blobs", () => {
    expect(coerceValue("yes", "boolean")).toEqual({ ok: true, value: true });
    expect(coerceValue(0, "boolean")).toEqual({ ok: true, value: false });
    expect(coerceValue("maybe", "boolean").ok).toBe(false);
    expect(coerceValue("12.50", "decimal")).toEqual({ ok: true, value: "12.50" });
    expect(coerceValue({ a: 1 }, "json")).toEqual({ ok: true, value: '{"a":1}' });
    expect(coerceValue("{oops", "json").ok).toBe(false);
    expect(coerceValue(5, "varchar")).toEqual({ ok: true, value: "5" });
    expect(coerceValue({ a: 1 }, "varchar").ok).toBe(false);
    expect(coerceValue("x", "blob").ok).toBe(false);
    expect(coerceValue(null, "integer")).toEqual({ ok: true, value: null });
  });
});

describe("coerceColumns", () => {
  it("drops rows with any bad value and reports the first failing column once per row", () => {
    const schema = {
      fields: [
        { name: "id", type: "integer" as const, nullable: false },
        { name: "d", type: "date" as const },
      ],
    };
    const raw = [
      ["1", "abc", null, "4"],
      ["2024-01-01", "2024-13-45", "2024-01-03", "bad"],
    ];
    const { batch, failures } = coerceColumns(schema, raw, 4);
    expect(batch.numRows).toBe(1);
    expect(batch.columns).toEqual([[1], ["2024-01-01"]]);
    expect(failures.map((f) => [f.row, f.field.name])).toEqual([
      [1, "id"],
      [2, "id"],
      [3, "d"],
    ]);
    expect(failures[1]!.reason).toContain("not null");
  });

  it("renders values for rejections", () => {
    expect(valueText(new Uint8Array([255, 1]))).toBe("ff01");
    expect(valueText(null)).toBe("NULL");
    expect(valueText({ a: 1 })).toBe('{"a":1}');
  });
});
