import { describe, expect, it } from "vitest";
import { findPiiSpans } from "./find-pii-spans.js";
import { maskPiiSpans, maskSpanValue } from "./mask-pii-spans.js";

describe("maskPiiSpans", () => {
  it("masks an email to its first character and domain and a phone to its last 4 digits", () => {
    expect(maskPiiSpans("contact me at ann@x.com or +49 151 2345678")).toBe(
      "contact me at a***@x.com or ***********5678",
    );
  });

  it("keeps the last 4 of cards, SSNs and IBANs, and nothing of an IP address", () => {
    expect(
      maskPiiSpans(
        "card 4111 1111 1111 1111, ssn 078-05-1120, iban DE89 3704 0044 0532 0130 00, ip 10.1.2.3.",
      ),
    ).toBe("card ***************1111, ssn *******1120, iban **********************30 00, ip ********.");
  });

  it("leaves text without PII as it is, and what it masked is not PII any more", () => {
    const plain = "nothing to see here, order 4111111111111112";
    expect(maskPiiSpans(plain)).toBe(plain);
    const masked = maskPiiSpans("mail ann@x.com, call +1 415 555 2671, pay 5555555555554444");
    expect(masked).toBe("mail a***@x.com, call ***********2671, pay ************4444");
    expect(findPiiSpans(masked)).toEqual([]);
  });

  it("masks a short value entirely", () => {
    expect(maskSpanValue({ class: "phone", value: "1234" })).toBe("****");
  });
});
