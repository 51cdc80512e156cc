import { getCountries, getCountryCallingCode, Metadata } from "libphonenumber-js";

/**
 * The national number lengths libphonenumber's metadata allows under one country calling
 * code, as bit masks (bit n: n digits): `sure` for every country sharing the code, `any`
 * for at least one. They differ only where countries share a code with different lengths
 * (NANPA's +1: 10 digits everywhere, 7 as well in Canada; +44: 7 and 9 in Great Britain).
 */
interface CodeLengths {
  sure: number;
  any: number;
  /** Fewest digits any country of the code allows. */
  min: number;
}

let table: Map<number, CodeLengths> | undefined;

/** Built on first use from the documented metadata API (`selectNumberingPlan`, `possibleLengths`). */
function codeLengths(): Map<number, CodeLengths> {
  if (table) return table;
  const metadata = new Metadata();
  const built = new Map<number, CodeLengths>();
  for (const country of getCountries()) {
    metadata.selectNumberingPlan(country);
    const lengths = metadata.numberingPlan?.possibleLengths() ?? [];
    if (lengths.length === 0) continue;
    let mask = 0;
    for (const length of lengths) mask |= 1 << length;
    const min = Math.min(...lengths);
    const code = Number(getCountryCallingCode(country));
    const seen = built.get(code);
    built.set(
      code,
      seen
        ? { sure: seen.sure & mask, any: seen.any | mask, min: Math.min(seen.min, min) }
        : { sure: mask, any: mask, min },
    );
  }
  table = built;
  return built;
}

/**
 * Whether a number of `digits` digits starting with `lead` (its first four digits, as
 * `readPhoneText` gives them) has a national number length its country allows — what
 * libphonenumber's `isPossible()` says, from a table lookup instead of a parse:
 * - true: the length is allowed for every country of the calling code;
 * - false: no calling code starts it (`+0…`), or the national number is shorter than any
 *   country of the code allows (a national prefix removed would only shorten it);
 * - undefined: only libphonenumber can tell — a code shared by countries that differ on
 *   this length, a national number starting with 0 (`+44 (0)20…`: a national prefix
 *   written in, which libphonenumber removes), a national number too long (one may start
 *   with a prefix such as NANPA's 1 or Russia's 8), a code no country has (+800, +882).
 *
 * Calling codes are prefix-free (no code starts another), so at most one of the first
 * one, two or three digits is a code.
 */
export function possibleByCallingCode(lead: number, digits: number): boolean | undefined {
  if (lead < 1000) return false;
  const codes = codeLengths();
  for (let codeDigits = 1; codeDigits <= 3; codeDigits++) {
    const scale = 10 ** (4 - codeDigits);
    const lengths = codes.get(Math.floor(lead / scale));
    if (lengths === undefined) continue;
    if (Math.floor(lead / (scale / 10)) % 10 === 0) return undefined;
    const national = digits - codeDigits;
    if (national < lengths.min) return false;
    if (national < 31 && lengths.sure & (1 << national)) return true;
    return undefined;
  }
  return undefined;
}
