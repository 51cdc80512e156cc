import { describe, expect, it } from "vitest";
import { escapeCopyText } from "./postgres/postgres-loader.js";
import { normalizeDecimal, pgTimestamptzToIso } from "./value-text.js";

describe("value text forms", () => {
  it("reduces decimals to their shortest exact text", () => {
    expect(normalizeDecimal("123.4500000000")).toBe("123.45");
    expect(normalizeDecimal("100.00")).toBe("100");
    expect(normalizeDecimal("100")).toBe("100");
    expect(normalizeDecimal("-0.000")).toBe("0");
    expect(normalizeDecimal("-0.0010")).toBe("-0.001");
    expect(normalizeDecimal("12345678901234567890.0123456789")).toBe("12345678901234567890.0123456789");
  });

  it("turns PostgreSQL UTC timestamptz text into ISO-8601 with Z", () => {
    expect(pgTimestamptzToIso("2024-01-02 08:11:12.5+00")).toBe("2024-01-02T08:11:12.5Z");
    expect(pgTimestamptzToIso("infinity")).toBe("infinity");
  });

  it("escapes COPY text so tabs, newlines and backslashes survive and NUL is refused", () => {
    expect(escapeCopyText("plain")).toBe("plain");
    expect(escapeCopyText("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(escapeCopyText("\\N")).toBe("\\\\N");
    expect(() => escapeCopyText("a\u0000b")).toThrow(/NUL/);
  });
});
