import type { PiiClass } from "../pii-class.js";

/**
 * How a column's values reach a detector: text columns as they are, integer columns (card
 * numbers, SSNs and phone numbers stored as BIGINT) as their decimal digits, date and
 * timestamp columns as text that starts with the date (`YYYY-MM-DD[ HH:MM:SS]`; `scanTable`
 * reads only the date, all a detector of these kinds looks at).
 */
export type ValueKind = "text" | "integer" | "date";

/**
 * One PII class: what column names hint at it and what values are an instance of it.
 * `matches` is called once per sampled value, so each detector rejects most values with a
 * few character tests before any regular expression or parser runs.
 */
export interface PiiDetector {
  readonly class: PiiClass;
  /** Tested against the normalised column name (lower snake_case: `phoneNumber` → `phone_number`). */
  readonly nameHints: RegExp;
  /** The kinds of column whose values are tested. */
  readonly kinds: readonly ValueKind[];
  /** True when the whole value (trimmed) is an instance of the class. */
  matches(value: string): boolean;
  /**
   * A looser test for columns whose name hints the class: a 9-digit number in a column named
   * `ssn`, a phone number without its `+`. Absent when the test is the same.
   */
  matchesHinted?(value: string): boolean;
  /**
   * The share of look-alike values expected to pass `matches` by chance (a random number
   * with a card prefix passes Luhn 1 time in 10); only the share above it counts as evidence.
   */
  readonly chance: number;
  /**
   * Values alone cannot establish the class (any capitalised words look like a name, any past
   * date like a birth date): the column name must say so too.
   */
  readonly weak: boolean;
}
