import { describe, expect, it } from "vitest";
import { ibanDetector } from "./iban.js";
import { IBAN_LENGTHS, ibanMod97Valid } from "./iban-mod97.js";

describe("ibanDetector", () => {
  it.each([
    "DE89370400440532013000",
    "DE89 3704 0044 0532 0130 00",
    "GB29NWBK60161331926819",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "BE68539007547034",
    "CH9300762011623852957",
    "de89370400440532013000",
  ])("matches %s", (value) => {
    expect(ibanDetector.matches(value)).toBe(true);
  });

  it.each([
    ["one digit changed", "DE89370400440532013001"],
    ["two digits swapped", "DE89370400440532010300"],
    ["check digits changed", "DE88370400440532013000"],
    ["a digit short for DE", "DE8937040044053201300"],
    ["unknown country", "XX89370400440532013000"],
    ["letters in the check digits", "DEAB370400440532013000"],
    ["plain digits", "1234567890123456789012"],
    ["masked", "DE******************00"],
  ])("does not match: %s (%s)", (_why, value) => {
    expect(ibanDetector.matches(value)).toBe(false);
  });

  it("knows the registry's lengths and computes mod 97 without big integers", () => {
    expect(IBAN_LENGTHS.DE).toBe(22);
    expect(IBAN_LENGTHS.NO).toBe(15);
    expect(IBAN_LENGTHS.RU).toBe(33);
    expect(Object.keys(IBAN_LENGTHS).length).toBeGreaterThan(80);
    expect(ibanMod97Valid("NO9386011117947")).toBe(true);
    expect(ibanMod97Valid("NO9386011117948")).toBe(false);
  });
});
