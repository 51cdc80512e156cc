import { describe, expect, it } from "vitest";
import { looksLikePersonName, personNameDetector } from "./person-name.js";

describe("personNameDetector", () => {
  it.each([
    "Anna Müller",
    "Chloé García",
    "Zoe",
    "Sean O'Brien",
    "Ronald McDonald",
    "Jean-Luc Picard",
    "Ludwig van Beethoven",
    "J. R. Tolkien",
    "Łukasz Kowalski",
  ])("looks like a name: %s", (value) => {
    expect(looksLikePersonName(value)).toBe(true);
  });

  it.each([
    "anna müller",
    "ORDER-123",
    "USA",
    "Hello, world",
    "The quick brown fox",
    "One Two Three Four Five",
    "A1 Sauce",
    "a***",
    "tok_9f8e7d6c",
    "van Gogh",
  ])("does not look like a name: %s", (value) => {
    expect(looksLikePersonName(value)).toBe(false);
  });

  it("is weak and hinted by person-name columns only", () => {
    expect(personNameDetector.weak).toBe(true);
    for (const name of [
      "name",
      "first_name",
      "last_name",
      "full_name",
      "surname",
      "customer_name",
      "firstname",
      "vorname",
    ]) {
      expect(personNameDetector.nameHints.test(name), name).toBe(true);
    }
    for (const name of ["product_name", "file_name", "company_name", "table_name", "name_id"]) {
      expect(personNameDetector.nameHints.test(name), name).toBe(false);
    }
  });
});
