import { describe, expect, it } from "vitest";
import { luhnValid } from "./luhn.js";
import { cardIssuer, isCardNumber, paymentCardDetector } from "./payment-card.js";

/** `prefix` padded with zeros to `length - 1` digits and completed with its Luhn check digit. */
function withCheckDigit(prefix: string, length: number): string {
  const body = prefix.padEnd(length - 1, "0");
  for (let d = 0; d <= 9; d++) if (luhnValid(`${body}${d}`)) return `${body}${d}`;
  throw new Error("unreachable");
}

describe("luhnValid", () => {
  it("accepts test card numbers and rejects one changed digit", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("79927398710")).toBe(false);
    expect(luhnValid("")).toBe(false);
    expect(luhnValid("4111x11111111111")).toBe(false);
  });
});

describe("paymentCardDetector", () => {
  it.each([
    ["visa", "4111111111111111"],
    ["visa", "4012888888881881"],
    ["visa", "4222222222222"],
    ["mastercard", "5555555555554444"],
    ["mastercard", "5105105105105100"],
    ["mastercard", "2221000000000009"],
    ["amex", "378282246310005"],
    ["amex", "371449635398431"],
    ["discover", "6011111111111117"],
    ["discover", "6011000990139424"],
    ["diners", "30569309025904"],
    ["diners", "38520000023237"],
    ["jcb", "3530111333300000"],
    ["jcb", "3566002020360505"],
    ["unionpay", "6200000000000005"],
  ])("matches a %s test number %s", (issuer, value) => {
    expect(cardIssuer(value)).toBe(issuer);
    expect(paymentCardDetector.matches(value)).toBe(true);
  });

  it("matches numbers written in groups", () => {
    expect(isCardNumber("4111 1111 1111 1111")).toBe(true);
    expect(isCardNumber("4111-1111-1111-1111")).toBe(true);
    expect(isCardNumber("3782 822463 10005")).toBe(true);
  });

  it.each([
    ["fails Luhn", "4111111111111112"],
    ["fails Luhn", "5555555555554445"],
    ["Luhn-valid but no issuer starts with 1", withCheckDigit("1234", 16)],
    ["Luhn-valid but no issuer starts with 9", withCheckDigit("9", 16)],
    ["Visa prefix at a length Visa does not issue", withCheckDigit("4", 15)],
    ["Mastercard prefix at 15 digits", withCheckDigit("51", 15)],
    ["Amex prefix at 16 digits", withCheckDigit("34", 16)],
    ["2-series below Mastercard's range", withCheckDigit("2220", 16)],
    ["2-series above Mastercard's range", withCheckDigit("2721", 16)],
    ["too short", "411111111"],
    ["letters", "4111-1111-1111-111a"],
    ["leading separator", " 4111111111111111"],
    ["masked", "************1111"],
  ])("does not match a number that %s (%s)", (_why, value) => {
    expect(paymentCardDetector.matches(value)).toBe(false);
  });

  it("applies each issuer's lengths", () => {
    expect(cardIssuer(withCheckDigit("4", 19))).toBe("visa");
    expect(cardIssuer(withCheckDigit("6011", 19))).toBe("discover");
    expect(cardIssuer(withCheckDigit("644", 16))).toBe("discover");
    expect(cardIssuer(withCheckDigit("65", 17))).toBe("discover");
    expect(cardIssuer(withCheckDigit("2720", 16))).toBe("mastercard");
    expect(cardIssuer(withCheckDigit("6759", 12))).toBe("maestro");
    expect(cardIssuer(withCheckDigit("2200", 16))).toBe("mir");
    expect(cardIssuer(withCheckDigit("6011", 15))).toBeUndefined();
    expect(cardIssuer(withCheckDigit("36", 13))).toBeUndefined();
  });

  it("is hinted by card column names, not by order numbers", () => {
    for (const name of ["card_number", "cc", "credit_card", "pan", "creditcard"]) {
      expect(paymentCardDetector.nameHints.test(name), name).toBe(true);
    }
    expect(paymentCardDetector.nameHints.test("order_number")).toBe(false);
    expect(paymentCardDetector.nameHints.test("discard_reason")).toBe(false);
  });
});
