import { describe, expect, it } from "vitest";
import { parseErasureSubject } from "./parse-subject.js";

describe("parseErasureSubject", () => {
  it("splits at the first = (the value may hold more)", () => {
    expect(parseErasureSubject("email=ann@example.com")).toEqual({
      column: "email",
      value: "ann@example.com",
    });
    expect(parseErasureSubject(" note =a=b")).toEqual({ column: "note", value: "a=b" });
  });

  it("refuses a missing column or value without repeating the value", () => {
    for (const text of ["zoe@example.org", "=zoe@example.org", "email="]) {
      expect(() => parseErasureSubject(text)).toThrow(/expected <column>=<value>/);
      try {
        parseErasureSubject(text);
      } catch (error) {
        expect(JSON.stringify({ message: (error as Error).message, ...(error as object) })).not.toContain(
          "zoe@",
        );
      }
    }
  });
});
