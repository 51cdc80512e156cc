import { describe, expect, it } from "vitest";
import { emailDetector } from "./email.js";

describe("emailDetector", () => {
  it.each([
    "ann@x.com",
    "anna.mueller42@gmail.com",
    "j.doe+newsletter@mail.example.co.uk",
    "first_last@sub-domain.acme.io",
    "chloé.garcía12@exämple.de",
  ])("matches %s", (value) => {
    expect(emailDetector.matches(value)).toBe(true);
  });

  it.each([
    // The seed's planted bad emails.
    "john.doe@",
    "no-at-sign.example.com",
    "two@@example.com",
    "spaces in@example.com",
    "x@y",
    // Masked: the guard must not take them for addresses.
    "a***@x.com",
    "***@x.com",
    "ann@x",
    "@x.com",
    ".ann@x.com",
    "ann@-x.com",
  ])("does not match %s", (value) => {
    expect(emailDetector.matches(value)).toBe(false);
  });

  it("is hinted by email-like column names", () => {
    for (const name of ["email", "e_mail", "customer_email", "email_address", "mail"]) {
      expect(emailDetector.nameHints.test(name), name).toBe(true);
    }
    expect(emailDetector.nameHints.test("mailing_count_total")).toBe(false);
  });
});
