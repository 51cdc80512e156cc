import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from "libphonenumber-js";
import { describe, expect, it } from "vitest";
import { isInternationalPhone, phoneDetector } from "./phone.js";

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

  it.each([
    ["dashed (datagen)", "+1-555-123-4567"],
    ["spaced", "+1 555 123 4567"],
    ["area code in brackets", "+1 (555) 123-4567"],
    ["dotted", "+1.555.123.4567"],
    ["E.164", "+15551234567"],
    ["00 prefix, grouped", "001 555 123 4567"],
  ])("takes a fictional 555 number written with +1 (%s): possible, though not valid", (_form, value) => {
    expect(parsePhoneNumberFromString(value.replace(/^00/, "+"))?.isValid()).toBe(false);
    expect(phoneDetector.matches(value)).toBe(true);
  });

  it.each([
    ["too short for NANPA", "+1 555 12"],
    ["7 digits: only Canada's local length, not this number's", "+1 555 1234"],
    ["too long", "+1 555 123 45678"],
    ["a signed decimal", "+1234.5678"],
    // A bare 00 run of digits is any zero-padded id: it must be a valid number.
    ["00 and digits only", "0015551234567"],
  ])("does not take %s: %s", (_why, value) => {
    expect(phoneDetector.matches(value)).toBe(false);
  });

  it("takes what libphonenumber reads past the lengths table: a national prefix, a non-geographic code", () => {
    expect(phoneDetector.matches("+44 (0)20 7946 0958")).toBe(true);
    expect(phoneDetector.matches("+49 (0)151 2345678")).toBe(true);
    expect(phoneDetector.matches("+7 8 912 345 6789")).toBe(true);
    expect(phoneDetector.matches("+800 1234 5678")).toBe(true);
  });

  it("says possible exactly when libphonenumber's isPossible does, over generated numbers of every code", () => {
    // mulberry32: seeded, so the same numbers every run.
    let state = 7;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
    };
    const codes = [...new Set(getCountries().map((c) => getCountryCallingCode(c))), "800", "882", "999"];
    const disagreements: string[] = [];
    let checked = 0;
    while (checked < 5000) {
      const code = codes[Math.floor(random() * codes.length)]!;
      const national = Array.from({ length: 3 + Math.floor(random() * 12) }, () =>
        Math.floor(random() * 10),
      ).join("");
      if (code.length + national.length < 7 || code.length + national.length > 15) continue;
      checked++;
      const value = `+${code} ${national.replace(/(\d{3})(?=\d)/g, "$1 ")}`;
      const possible = parsePhoneNumberFromString(value)?.isPossible() ?? false;
      if (isInternationalPhone(value) !== possible) disagreements.push(value);
    }
    expect(disagreements).toEqual([]);
  });
});
