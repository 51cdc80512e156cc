import { describe, expect, it } from "vitest";
import { phoneDetector } from "./phone.js";

describe("phoneDetector", () => {
  it.each([
    ["DE", "+49 151 2345678"],
    ["DE (00 prefix)", "0049 151 2345678"],
    ["US", "+1 415 555 2671"],
    ["US, dashed", "+1-415-555-2671"],
    ["GB", "+44 20 7946 0958"],
    ["FR", "+33 6 12 34 56 78"],
    ["JP", "+81 3-1234-5678"],
    ["IN", "+91 98765 43210"],
    ["BR", "+55 11 91234-5678"],
    ["CH, compact", "+41446681800"],
  ])("matches an international number (%s)", (_country, value) => {
    expect(phoneDetector.matches(value)).toBe(true);
  });

  it.each([
    "+12345",
    "+1234567890",
    "+49 12",
    "+999 1234567890",
    // National form: without a country it is any run of digits.
    "4155552671",
    "030 1234567",
    "2024-01-15",
    "078-05-1120",
    "+49 151 2345678 ext",
    "4111111111111111",
  ])("does not match %s", (value) => {
    expect(phoneDetector.matches(value)).toBe(false);
  });

  it("takes E.164 without + (a BIGINT column) only when the column is named for phones", () => {
    expect(phoneDetector.matches("4915112345678")).toBe(false);
    expect(phoneDetector.matchesHinted!("4915112345678")).toBe(true);
    expect(phoneDetector.matchesHinted!("14155552671")).toBe(true);
    expect(phoneDetector.matchesHinted!("123")).toBe(false);
    expect(phoneDetector.matchesHinted!("+49 151 2345678")).toBe(true);
    for (const name of ["phone", "phone_number", "mobile", "tel", "fax", "telefonnummer"]) {
      expect(phoneDetector.nameHints.test(name), name).toBe(true);
    }
    expect(phoneDetector.nameHints.test("telemetry_id")).toBe(false);
  });
});
