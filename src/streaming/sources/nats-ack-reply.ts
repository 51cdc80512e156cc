/**
 * What JetStream says about a delivered message in its ack reply subject:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>`, or the
 * newer form with `<domain>.<account hash>` after `$JS.ACK` (and possibly a trailing random
 * token). Read here instead of through the client's message wrapper, which a raw
 * subscription (the pull pipeline's) does not build. Parsed without splitting the subject:
 * this runs for every message, and allocating nine strings each time was a tenth of the
 * reader's CPU.
 */
export interface AckReplyInfo {
  /** How many times this message has been delivered (1 = first delivery). */
  deliveryCount: number;
  /** The stream sequence: the message's position. */
  streamSeq: number;
  /** The consumer's delivery sequence: +1 for every delivery, first or repeated. */
  deliverySeq: number;
}

const ZERO = 48;

/** Parses an ack reply subject; undefined when it is not one. */
export function parseAckReply(reply: string): AckReplyInfo | undefined {
  if (!reply.startsWith("$JS.ACK.")) return undefined;
  // Dots after "$JS.ACK.": 6 in the old form, 8 or 9 in the new one.
  const dots: number[] = [];
  for (let at = reply.indexOf(".", 8); at >= 0 && dots.length < 10; at = reply.indexOf(".", at + 1))
    dots.push(at);
  const first = dots.length === 6 ? 1 : dots.length >= 8 ? 3 : -1;
  if (first < 0) return undefined;
  const deliveryCount = digits(reply, dots[first]! + 1, dots[first + 1]!);
  const streamSeq = digits(reply, dots[first + 1]! + 1, dots[first + 2]!);
  const deliverySeq = digits(reply, dots[first + 2]! + 1, dots[first + 3]!);
  if (deliveryCount < 0 || streamSeq < 0 || deliverySeq < 0) return undefined;
  return { deliveryCount, streamSeq, deliverySeq };
}

/** The decimal number in `text[start, end)`, or -1 when it is not one. */
function digits(text: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
