import { describe, expect, it } from "vitest";
import { ssnDetector, validSsnParts } from "./ssn.js";

describe("ssnDetector", () => {
  it("matches format-valid SSNs, dashed or spaced", () => {
    expect(ssnDetector.matches("078-05-1120")).toBe(true);
    expect(ssnDetector.matches("219 09 9999")).toBe(true);
    expect(ssnDetector.matches("665-01-0001")).toBe(true);
  });

  it.each([
    ["area 000", "000-12-3456"],
    ["area 666", "666-12-3456"],
    ["area 900", "900-12-3456"],
    ["area 999", "999-12-3456"],
    ["group 00", "123-00-4567"],
    ["serial 0000", "123-45-0000"],
    ["mixed separators", "123-45 6789"],
    ["too short", "12-345-6789"],
    ["bare digits without a hinting name", "078051120"],
  ])("does not match %s (%s)", (_why, value) => {
    expect(ssnDetector.matches(value)).toBe(false);
  });

  it("takes nine bare digits only in a column named for SSNs, and still checks the rules", () => {
    expect(ssnDetector.matchesHinted!("078051120")).toBe(true);
    expect(ssnDetector.matchesHinted!("078-05-1120")).toBe(true);
    expect(ssnDetector.matchesHinted!("900123456")).toBe(false);
    expect(ssnDetector.matchesHinted!("123004567")).toBe(false);
    expect(ssnDetector.matchesHinted!("123450000")).toBe(false);
    expect(ssnDetector.matchesHinted!("12345678")).toBe(false);
    for (const name of ["ssn", "customer_ssn", "social_security_number", "soc_sec_no"]) {
      expect(ssnDetector.nameHints.test(name), name).toBe(true);
    }
    expect(ssnDetector.nameHints.test("lesson")).toBe(false);
  });

  it("validSsnParts applies the SSA's area, group and serial rules", () => {
    expect(validSsnParts("078", "05", "1120")).toBe(true);
    expect(validSsnParts("899", "99", "9999")).toBe(true);
    expect(validSsnParts("000", "05", "1120")).toBe(false);
    expect(validSsnParts("666", "05", "1120")).toBe(false);
    expect(validSsnParts("950", "05", "1120")).toBe(false);
    expect(validSsnParts("078", "00", "1120")).toBe(false);
    expect(validSsnParts("078", "05", "0000")).toBe(false);
  });
});
