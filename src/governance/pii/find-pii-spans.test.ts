import { describe, expect, it } from "vitest";
import { findPiiSpans } from "./find-pii-spans.js";

const classes = (text: string) => findPiiSpans(text).map((s) => `${s.class}:${s.value}`);

describe("findPiiSpans", () => {
  it("finds an email and a phone number in a sentence, with offsets", () => {
    const text = "contact me at ann@x.com or +49 151 2345678";
    const spans = findPiiSpans(text);
    expect(spans).toEqual([
      { class: "email", start: 14, end: 23, value: "ann@x.com" },
      { class: "phone", start: 27, end: 42, value: "+49 151 2345678" },
    ]);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.value);
  });

  it("finds every class it looks for, validated", () => {
    expect(
      classes(
        "card 4111 1111 1111 1111, ssn 078-05-1120, IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX, from 192.168.1.20. and 2001:db8::8a2e:370:7334",
      ),
    ).toEqual([
      "payment_card:4111 1111 1111 1111",
      "ssn:078-05-1120",
      "iban:DE89 3704 0044 0532 0130 00",
      "ip_address:192.168.1.20",
      "ip_address:2001:db8::8a2e:370:7334",
    ]);
  });

  it("finds two IBANs side by side and a card followed by another number", () => {
    expect(classes("DE89370400440532013000 DE89370400440532013000")).toEqual([
      "iban:DE89370400440532013000",
      "iban:DE89370400440532013000",
    ]);
    expect(classes("paid with 4111 1111 1111 1111 20 EUR")).toEqual(["payment_card:4111 1111 1111 1111"]);
  });

  it.each([
    ["order numbers failing Luhn", "order 4111111111111112 shipped on 2024-01-15"],
    ["an invalid SSN", "ticket 666-12-3456 and 123-00-4567 and 900-12-3456"],
    ["a 9-digit id", "customer 123456789 called"],
    ["an IBAN with a wrong digit", "IBAN DE89370400440532013001"],
    ["a UUID", "request 550e8400-e29b-41d4-a716-446655440000 failed"],
    ["timestamps and times", "at 2024-01-15 12:30:00 and 12:30 the job ran"],
    ["a national phone number", "call 030 1234567"],
    ["a version string", "version v1.2.3 released"],
    ["masked values", "contact a***@x.com or ***********5678, card ************1111"],
    ["a 64-hex digest", "sha 4111111111111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
    ["a token", "tok_4111111111111111 and tok_ann@x"],
    ["plain prose", "The delivery was quick and the packaging was great. Would order again!"],
  ])("finds nothing in %s", (_why, text) => {
    expect(findPiiSpans(text)).toEqual([]);
  });
});
