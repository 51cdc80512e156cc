import { findPiiSpans, type PiiSpan } from "./find-pii-spans.js";

/**
 * What a span is replaced with: an email keeps its first character and its domain
 * (`a***@x.com`), so a reader can still tell addresses apart by provider; phone, card, SSN
 * and IBAN numbers keep their last four digits (`***********5678`), as receipts and support
 * tools show them, and their length; an IP address keeps nothing.
 */
export function maskSpanValue(span: Pick<PiiSpan, "class" | "value">): string {
  const { value } = span;
  if (span.class === "email") {
    const at = value.lastIndexOf("@");
    return `${value[0]}***${value.slice(at)}`;
  }
  if (span.class === "ip_address") return "*".repeat(value.length);
  return maskAllButLast4(value);
}

/** Stars over every character before the last four letters or digits (separators among those stay). */
function maskAllButLast4(value: string): string {
  let kept = 0;
  let from = value.length;
  while (from > 0 && kept < 4) {
    from--;
    if (/[\p{L}\p{N}]/u.test(value[from]!)) kept++;
  }
  // Fewer than five letters or digits: nothing may show.
  if (from === 0) return "*".repeat(value.length);
  return "*".repeat(from) + value.slice(from);
}

/**
 * Free text with every PII span (`findPiiSpans`) masked in place; text without PII comes
 * back unchanged.
 *
 * @example
 * maskPiiSpans("contact me at ann@x.com or +49 151 2345678");
 * // "contact me at a***@x.com or ***********5678"
 */
export function maskPiiSpans(text: string, spans: readonly PiiSpan[] = findPiiSpans(text)): string {
  if (spans.length === 0) return text;
  let out = "";
  let from = 0;
  for (const span of spans) {
    out += text.slice(from, span.start) + maskSpanValue(span);
    from = span.end;
  }
  return out + text.slice(from);
}
