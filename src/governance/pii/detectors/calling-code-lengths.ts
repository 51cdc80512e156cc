import { getCountries, getCountryCallingCode, Metadata } from "libphonenumber-js";

/**
 * National number lengths allowed under each country calling code by every country that
 * shares it, as bit masks (bit n: n digits): NANPA's +1 allows 10 digits everywhere (7 only
 * in Canada), +44 allows 10 (7 and 9 only in Great Britain).
 */
let table: Map<number, number> | undefined;

/** Built on first use from the documented metadata API (`selectNumberingPlan`, `possibleLengths`). */
function lengthsByCode(): Map<number, number> {
  if (table) return table;
  const metadata = new Metadata();
  const built = new Map<number, number>();
  for (const country of getCountries()) {
    metadata.selectNumberingPlan(country);
    let mask = 0;
    for (const length of metadata.numberingPlan?.possibleLengths() ?? []) mask |= 1 << length;
    const code = Number(getCountryCallingCode(country));
    built.set(code, (built.get(code) ?? mask) & mask);
  }
  table = built;
  return built;
}

/**
 * True when a number of `digits` digits starting with `lead` (its first four digits, as
 * `readPhoneText` gives them) is possible whichever country of its calling code it
 * belongs to — what libphonenumber's `isPossible()` says, from a table lookup instead of a
 * parse (tens of µs on a code many countries share, as +1). False means only
 * libphonenumber can tell:
 * - a length some countries of the code allow and others not (`+1 416 1234`);
 * - a national number starting with 0 (`+44 (0)20…`: a national prefix written in, which
 *   libphonenumber removes), or of a length no country allows (a national prefix such as
 *   NANPA's 1 to remove, or a short number a country's rules complete: Madagascar's 7
 *   digits gain its area code 20);
 * - a code no country has (+800, +882: non-geographic) or none at all.
 *
 * Calling codes are prefix-free (no code starts another), so at most one of the first
 * one, two or three digits is a code.
 */
export function surelyPossible(lead: number, digits: number): boolean {
  const codes = lengthsByCode();
  for (let codeDigits = 1; codeDigits <= 3; codeDigits++) {
    const scale = 10 ** (4 - codeDigits);
    const lengths = codes.get(Math.floor(lead / scale));
    if (lengths === undefined) continue;
    const nationalFirst = Math.floor(lead / (scale / 10)) % 10;
    return nationalFirst !== 0 && (lengths & (1 << (digits - codeDigits))) !== 0;
  }
  return false;
}
