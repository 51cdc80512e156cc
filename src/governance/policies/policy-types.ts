/**
 * `email`: the local part's first character, `***@`, then the domain after the last `@`
 * (`Ann@x.com` → `A***@x.com`; no `@` → `***`). `last4`: a fixed `****` and the value's
 * last four digits, other characters ignored (`+1 (555) 123-5678` → `****5678`); a value
 * with four digits or fewer would show whole, so it becomes `****`. Blanks around the value
 * are dropped first; NULL stays NULL.
 */
export const MASKS = ["email", "last4"] as const;
export type MaskKind = (typeof MASKS)[number];

/**
 * What a value goes through before it is hashed, so spellings of one value join:
 * `lower-trim` strips spaces, tabs and line breaks at both ends and lower-cases A–Z (ASCII
 * only, so every engine and JS agree byte for byte); `trim` only strips; `none` hashes the
 * text as it is.
 */
export const HASH_NORMALIZATIONS = ["lower-trim", "trim", "none"] as const;
export type HashNormalization = (typeof HASH_NORMALIZATIONS)[number];

/**
 * `text`: the fixed string `[REDACTED]` (VARCHAR) for every non-NULL value, NULL staying NULL;
 * `null`: SQL NULL of the column's own type for every row.
 */
export const REDACTIONS = ["text", "null"] as const;
export type Redaction = (typeof REDACTIONS)[number];

/** The text a `redact: "text"` output holds. */
export const REDACTED_TEXT = "[REDACTED]";

export type Generalization =
  /** A date (or timestamp, or ISO date text) → its year, as an INTEGER. */
  | { to: "year" }
  /** A date → `YYYY-MM` text. */
  | { to: "month" }
  /**
   * A number → its band as text: `30-39` for width 10 (`0-9`, `120-129`); from `top` on,
   * `90+`. Negative numbers become NULL.
   */
  | { to: "age"; width: number; top?: number }
  /**
   * A postcode → its first `prefix` characters (spaces removed, a–z upper-cased); one no
   * longer than the prefix would pass whole, so it becomes NULL.
   */
  | { to: "postcode"; prefix: number };

/** One column a policy writes in place of (or next to) a source column. */
export type PolicyOutput =
  | { kind: "mask"; as: string; mask: MaskKind }
  | { kind: "hash"; as: string; normalize: HashNormalization }
  | { kind: "tokenize"; as: string; piiClass: string }
  | { kind: "redact"; as: string; redact: Redaction }
  | { kind: "generalize"; as: string; generalize: Generalization };

export type PolicyKind = PolicyOutput["kind"] | "drop";

/** What a policy does to one source column: its outputs, in order; none and no raw value = dropped. */
export interface ColumnPolicy {
  column: string;
  outputs: PolicyOutput[];
  /** The raw value passes through too (the column is in `allowRaw`). */
  keepRaw: boolean;
}

/** A validated, normalised dataset policy. */
export interface DatasetPolicy {
  dataset: string;
  /** In declaration order. */
  columns: ColumnPolicy[];
  /**
   * Columns whose raw value is kept on purpose: next to their outputs for a column with a
   * policy, or declared as knowingly unprotected for a column without one.
   */
  allowRaw: string[];
}

// What users write, in TypeScript or YAML.

type Named = {
  /** The output column's name; default the source column's (the output replaces it). */
  as?: string;
};

export type PolicyOutputInput =
  | ({ mask: MaskKind } & Named)
  | ({ hash: true | { normalize?: HashNormalization } } & Named)
  | ({ tokenize: true | { class?: string } } & Named)
  | ({ redact: true | Redaction } & Named)
  | ({ generalize: GeneralizationInput } & Named)
  | { drop: true };

export type GeneralizationInput =
  | "year"
  | "month"
  /** Bands of 10. */
  | "age"
  /** The first 3 characters. */
  | "postcode"
  | { age: number | { width?: number; top?: number } }
  | { postcode: number | { prefix?: number } };

export type ColumnPolicyInput = PolicyOutputInput | readonly PolicyOutputInput[] | "drop";

export interface DatasetPolicyInput {
  dataset: string;
  columns: Record<string, ColumnPolicyInput>;
  allowRaw?: readonly string[];
}
