import { describe, expect, it } from "vitest";
import { surelyPossible } from "./calling-code-lengths.js";

describe("surelyPossible", () => {
  it("takes a length every country of the calling code allows", () => {
    expect(surelyPossible(1555, 11)).toBe(true); // +1 + 10 digits: all of NANPA
    expect(surelyPossible(4915, 13)).toBe(true); // +49 + 11 digits
    expect(surelyPossible(3531, 11)).toBe(true); // +353 (3 digits) + 8
  });

  it("leaves to libphonenumber what depends on the country, a national prefix or a code no country has", () => {
    expect(surelyPossible(1416, 8)).toBe(false); // +1 + 7 digits: Canada only
    expect(surelyPossible(1555, 7)).toBe(false); // +1 + 6 digits: none
    expect(surelyPossible(4402, 13)).toBe(false); // +44 0…: a national prefix written in
    expect(surelyPossible(8001, 11)).toBe(false); // +800: non-geographic
    expect(surelyPossible(9991, 11)).toBe(false); // +999: no such code
  });
});
