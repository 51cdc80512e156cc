import type { PiiDetector } from "./pii-detector.js";

/** A capitalised name word: `Anna`, `Müller`, `O'Brien`, `McDonald`, `Jean-Luc`, `Smith-Jones`. */
const NAME_WORD = /^\p{Lu}[\p{L}'’]*\p{Ll}(?:-\p{Lu}[\p{L}'’]*\p{Ll})*$/u;
/** An initial: `J.` */
const INITIAL = /^\p{Lu}\.$/u;
/** Lower-case particles inside names: `Ludwig van Beethoven`, `Ana de la Cruz`. */
const PARTICLES = new Set([
  "van",
  "von",
  "der",
  "den",
  "de",
  "del",
  "della",
  "di",
  "da",
  "du",
  "la",
  "le",
  "dos",
  "das",
  "ten",
  "ter",
  "bin",
  "ibn",
  "al",
  "el",
  "y",
]);

/**
 * One to four words that each look like a name word (capitalised letters, hyphens and
 * apostrophes, initials, particles after the first word); no digits or punctuation. Any
 * title-cased phrase passes too, which is why this class needs the column's name as well.
 */
export function looksLikePersonName(value: string): boolean {
  const n = value.length;
  if (n < 2 || n > 70) return false;
  const first = value.charCodeAt(0);
  // An upper-case ASCII letter, or any non-ASCII letter (Ö, Ł, Ж …): checked by the pattern.
  if (!((first >= 65 && first <= 90) || first > 127)) return false;
  const words = value.split(" ");
  if (words.length > 4) return false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (NAME_WORD.test(word) || (i > 0 && (INITIAL.test(word) || PARTICLES.has(word)))) continue;
    if (i === 0 && INITIAL.test(word) && words.length > 1) continue;
    return false;
  }
  return true;
}

export const personNameDetector: PiiDetector = {
  class: "person_name",
  nameHints:
    /^((first|last|full|given|family|middle|maiden|sur|fore|nick|birth|display|customer|contact|person|client|employee|patient|member|holder|card_?holder|account_?holder|recipient|sender|billing|shipping|user|owner|guest|passenger|applicant)_?)?name(s)?$|^(vorname|nachname|prenom|nom|nombre|apellido|cognome)$/,
  kinds: ["text"],
  chance: 0,
  weak: true,
  matches: looksLikePersonName,
};
