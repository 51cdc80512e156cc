import { describe, expect, it } from "vitest";
import { isPhoneToken, readPhoneText } from "./phone-text.js";

describe("readPhoneText", () => {
  it("reads the digits of an international number as written", () => {
    expect(readPhoneText("+1-555-123-4567")).toEqual({ digits: 11, lead: 1555, compact: false, idd: false });
    expect(readPhoneText("0049 (0)151 234.56.78")).toEqual({
      digits: 13,
      lead: 4901,
      compact: false,
      idd: true,
    });
    expect(readPhoneText("+15551234567")).toMatchObject({ digits: 11, compact: true });
    expect(readPhoneText("+1 415/555 2671")).toMatchObject({ digits: 11, compact: false });
  });

  it.each([
    ["no international prefix", "555-123-4567"],
    ["no calling code starts with 0", "+0 151 2345678"],
    ["zero-padded, 000", "0001234567"],
    ["a letter", "+49 151 2345678 ext"],
    ["a separator at the end", "+49 151 2345678-"],
    ["6 digits", "+1 55 123"],
    ["16 digits", "+1 555 123 4567 89012"],
    ["a signed decimal", "+1234.5678"],
    ["a second +", "+49 151 +2345678"],
  ])("turns away %s: %s", (_why, value) => {
    expect(readPhoneText(value)).toBeUndefined();
  });
});

describe("isPhoneToken", () => {
  it("is a single number written with phone characters", () => {
    expect(isPhoneToken("+1 555 12")).toBe(true);
    expect(isPhoneToken("(555) 123-4567")).toBe(true);
    expect(isPhoneToken("555.123.4567")).toBe(true);
  });

  it("is not text, two numbers, a + inside, or IPv4 addresses", () => {
    expect(isPhoneToken("call +1 555 12")).toBe(false);
    expect(isPhoneToken("+49 151 2345678 +49 151 2345679")).toBe(false);
    expect(isPhoneToken("12+34")).toBe(false);
    expect(isPhoneToken("10.0.0.1 10.0.0.2")).toBe(false);
    expect(isPhoneToken("4111 1111 1111 1111")).toBe(false);
  });
});
