import { describe, expect, it } from "vitest";
import { dateOfBirthDetector, isPlausibleBirthDate } from "./date-of-birth.js";

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe("dateOfBirthDetector", () => {
  it.each([
    "1985-03-12",
    "1985-03-12 00:00:00",
    "1985-03-12T00:00:00Z",
    "12.03.1985",
    "03/12/1985",
    "31/12/1985",
    "2000-02-29",
  ])("matches %s", (value) => {
    expect(isPlausibleBirthDate(value)).toBe(true);
  });

  it("takes today and 120 years ago, not tomorrow nor earlier", () => {
    expect(isPlausibleBirthDate(day(0))).toBe(true);
    expect(isPlausibleBirthDate(day(1))).toBe(false);
    const year = new Date().getUTCFullYear();
    expect(isPlausibleBirthDate(`${year - 120}-06-01`)).toBe(true);
    expect(isPlausibleBirthDate(`${year - 121}-06-01`)).toBe(false);
  });

  it.each([
    "2999-01-01",
    "1850-01-01",
    "1985-02-30",
    "1985-13-01",
    "2001-02-29",
    "13/13/1985",
    "not a date",
    "1985",
    "19850312",
  ])("does not match %s", (value) => {
    expect(isPlausibleBirthDate(value)).toBe(false);
  });

  it("is weak: the column name must say birth", () => {
    expect(dateOfBirthDetector.weak).toBe(true);
    for (const name of [
      "dob",
      "birth_date",
      "date_of_birth",
      "birthdate",
      "birthday",
      "geburtsdatum",
      "born_on",
    ]) {
      expect(dateOfBirthDetector.nameHints.test(name), name).toBe(true);
    }
    for (const name of ["registration_date", "updated_at", "order_date", "stubborn"]) {
      expect(dateOfBirthDetector.nameHints.test(name), name).toBe(false);
    }
  });
});
