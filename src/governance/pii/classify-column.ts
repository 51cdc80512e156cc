import type { WeirType } from "../../core/types.js";
import { normalizeColumnName } from "./column-name.js";
import { PII_DETECTORS } from "./detectors/index.js";
import { isPhoneToken } from "./detectors/phone-text.js";
import type { PiiDetector, ValueKind } from "./detectors/pii-detector.js";
import { findPiiSpans } from "./find-pii-spans.js";
import { PII_CLASSES, type PiiClass, type PiiPolicy, SUGGESTED_POLICY } from "./pii-class.js";
import { ValueMemo } from "./value-memo.js";

/** A class is reported at this confidence or above unless told otherwise. */
export const DEFAULT_PII_THRESHOLD = 0.5;

/** What made a class's confidence: whole values, the column's name, both, or PII found inside text. */
export type PiiEvidence = "values" | "name" | "name+values" | "text";

export interface PiiClassFinding {
  class: PiiClass;
  /** 0–1: how sure the column holds this class (see `classConfidence`). */
  confidence: number;
  /** Share of the non-null values checked that are (or, for text, contain) an instance of the class. */
  matchedShare: number;
  suggestedPolicy: PiiPolicy;
  evidence: PiiEvidence;
}

/** The kind of values a column's type gives the detectors, or undefined when none apply (booleans, doubles, blobs). */
export function valueKindOf(type: WeirType): ValueKind | undefined {
  switch (type) {
    case "varchar":
    case "json":
      return "text";
    case "integer":
    case "bigint":
    case "decimal":
      return "integer";
    case "date":
    case "timestamp":
    case "timestamptz":
      return "date";
    default:
      return undefined;
  }
}

/**
 * How sure a column holds a class, from the share of values matching and whether the name
 * hints it:
 * - strict classes (email, phone, IBAN, SSN, IP): any match is real evidence, so
 *   confidence starts at 0.5 and grows with the share;
 * - classes look-alikes pass by chance (cards: Luhn passes 1 in 10): only the share above
 *   that chance counts, so a column of order numbers stays below the threshold;
 * - a hinting name adds 0.3 to real value evidence, never to none: `card_number` holding
 *   Luhn-failing values is not a card column;
 * - weak classes (names, birth dates) need the name: values alone reach at most 0.4, the
 *   name alone (no values to judge) gives 0.6, both give 0.3–1 with the share.
 */
export function classConfidence(
  detector: Pick<PiiDetector, "chance" | "weak">,
  share: number,
  hinted: boolean,
  values: number,
): number {
  if (detector.weak) {
    if (!hinted) return 0.4 * share;
    return values === 0 ? 0.6 : 0.3 + 0.7 * share;
  }
  if (share <= detector.chance || values === 0) return 0;
  const above = (share - detector.chance) / (1 - detector.chance);
  const confidence = detector.chance === 0 ? 0.5 + 0.5 * above : above;
  return Math.min(1, confidence + (hinted ? 0.3 : 0));
}

/** Confidence of a class found inside free text: strict validators, so any hit counts, more hits more. */
function textConfidence(share: number): number {
  return share === 0 ? 0 : Math.min(1, 0.5 + 0.5 * share);
}

interface ActiveDetector {
  detector: PiiDetector;
  hinted: boolean;
  test: (value: string) => boolean;
  matched: number;
}

/** Free text worth searching for spans: a few words at least. */
const MIN_TEXT_LENGTH = 8;

/**
 * What one value came to, as bits: bit i when active detector i matched it, bit
 * `TEXT_BITS + k` when `PII_CLASSES[k]` was found inside it as text.
 */
type Outcome = number;
const TEXT_BITS = 16;

/**
 * Counts, column by column and batch by batch, how many values each applicable detector
 * matches (and, in text columns, how many values hold PII inside), so a scan never holds
 * more than one batch. `findings` turns the counts into classes with a confidence.
 * A value that repeats in the column is classified once (`ValueMemo`).
 */
export class ColumnTally {
  readonly column: string;
  readonly type: WeirType;
  readonly kind: ValueKind | undefined;
  /** Non-null, non-blank values seen. */
  values = 0;
  private readonly active: ActiveDetector[];
  /** Values holding each class inside their text, by `PII_CLASSES` index. */
  private readonly inText: number[] = PII_CLASSES.map(() => 0);
  private readonly memo = new ValueMemo<Outcome>();

  constructor(column: string, type: WeirType) {
    this.column = column;
    this.type = type;
    this.kind = valueKindOf(type);
    const name = normalizeColumnName(column);
    const kind = this.kind;
    this.active =
      kind === undefined
        ? []
        : PII_DETECTORS.filter((d) => d.kinds.includes(kind)).map((detector) => {
            const hinted = detector.nameHints.test(name);
            const test = hinted && detector.matchesHinted ? detector.matchesHinted : detector.matches;
            return { detector, hinted, test, matched: 0 };
          });
  }

  /** True when the column's values are worth reading at all. */
  get checksValues(): boolean {
    return this.active.length > 0;
  }

  /** Adds one batch's column (the first `count` values). */
  add(values: readonly unknown[], count = values.length): void {
    const memo = this.memo;
    for (let i = 0; i < count; i++) {
      const raw = values[i];
      if (raw === null || raw === undefined) continue;
      let value = typeof raw === "string" ? raw : String(raw);
      // Trim only when needed: most values have no surrounding blanks.
      if (value.length > 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32)) {
        value = value.trim();
      }
      if (value.length === 0) continue;
      this.values++;
      let outcome = memo.get(value);
      if (outcome === undefined) {
        outcome = this.classify(value);
        memo.set(value, outcome);
      }
      if (outcome !== 0) this.count(outcome);
    }
  }

  private classify(value: string): Outcome {
    const active = this.active;
    let outcome = 0;
    let strict = false;
    for (let d = 0; d < active.length; d++) {
      const a = active[d]!;
      if (a.test(value)) {
        outcome |= 1 << d;
        if (!a.detector.weak) strict = true;
      }
    }
    // A value that is not itself PII may hold some: "call me at +49 151 2345678". A lone
    // phone-shaped token is no free text: the whole-value detectors have judged it.
    if (this.kind === "text" && !strict && value.length >= MIN_TEXT_LENGTH && !isPhoneToken(value)) {
      for (const span of findPiiSpans(value)) {
        // Each class counts once per value, however often it occurs in it.
        outcome |= 1 << (TEXT_BITS + PII_CLASSES.indexOf(span.class));
      }
    }
    return outcome;
  }

  private count(outcome: Outcome): void {
    const active = this.active;
    for (let d = 0; d < active.length; d++) if (outcome & (1 << d)) active[d]!.matched++;
    const inText = outcome >>> TEXT_BITS;
    if (inText === 0) return;
    for (let k = 0; k < PII_CLASSES.length; k++) if (inText & (1 << k)) this.inText[k]!++;
  }

  /** The classes at `threshold` confidence or above, most confident first. */
  findings(threshold = DEFAULT_PII_THRESHOLD): PiiClassFinding[] {
    const found: PiiClassFinding[] = [];
    const total = this.values;
    for (const a of this.active) {
      const share = total === 0 ? 0 : a.matched / total;
      const byValue = classConfidence(a.detector, share, a.hinted, total);
      const textShare = total === 0 ? 0 : this.inText[PII_CLASSES.indexOf(a.detector.class)]! / total;
      const byText = a.detector.weak ? 0 : textConfidence(textShare);
      const fromText = byText > byValue;
      const confidence = Math.max(byValue, byText);
      if (confidence < threshold || confidence === 0) continue;
      found.push({
        class: a.detector.class,
        confidence: round(confidence, 2),
        matchedShare: round(fromText ? textShare : share, 4),
        // PII inside text is masked where it stands; the rest of the text is kept.
        suggestedPolicy: fromText ? "mask" : SUGGESTED_POLICY[a.detector.class],
        evidence: fromText ? "text" : a.matched === 0 ? "name" : a.hinted ? "name+values" : "values",
      });
    }
    return found.sort((x, y) => y.confidence - x.confidence);
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Classifies one column from its values (all of them: sample before calling).
 *
 * @example
 * classifyColumn("contact", "varchar", ["ann@x.com", "bob@y.org"]);
 * // [{ class: "email", confidence: 1, matchedShare: 1, suggestedPolicy: "hash", evidence: "values" }]
 */
export function classifyColumn(
  column: string,
  type: WeirType,
  values: readonly unknown[],
  options: { threshold?: number } = {},
): PiiClassFinding[] {
  const tally = new ColumnTally(column, type);
  tally.add(values);
  return tally.findings(options.threshold);
}
