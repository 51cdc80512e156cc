import { partitionOf } from "./partition-of.js";

/** One event of a request body, as received. */
export interface IngestLine {
  /** The line's raw bytes (a view into the body), `\r` of a CRLF body dropped. */
  data: Uint8Array;
  /** 0-based index among the body's lines, blank ones included: a resent body gives the same indexes. */
  index: number;
  partition: number;
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/**
 * Splits an NDJSON body into its non-blank lines and picks each one's partition. Lines are
 * not parsed or checked: the stream job dead-letters what is not an event, with the bytes
 * kept. Only the partition key needs a look inside: the line is parsed, and one that is
 * not a JSON object with the key (a string or a number) goes to partition 0.
 */
export function ingestLines(
  body: Buffer,
  routing: { partitions?: number; partitionKey?: string },
): IngestLine[] {
  const partitions = routing.partitions ?? 0;
  const key = partitions > 0 ? routing.partitionKey : undefined;
  const lines: IngestLine[] = [];
  let index = 0;
  for (let start = 0; start < body.length; index++) {
    const nl = body.indexOf(NEWLINE, start);
    const stop = nl < 0 ? body.length : nl;
    let end = stop;
    if (end > start && body[end - 1] === CARRIAGE_RETURN) end--;
    if (!isBlank(body, start, end)) {
      const data = body.subarray(start, end);
      lines.push({ data, index, partition: key === undefined ? 0 : partitionByKey(data, key, partitions) });
    }
    start = stop + 1;
  }
  return lines;
}

function partitionByKey(data: Buffer, key: string, partitions: number): number {
  let value: unknown;
  try {
    const event = JSON.parse(data.toString("utf8"));
    value = typeof event === "object" && event !== null && !Array.isArray(event) ? event[key] : undefined;
  } catch {
    return 0;
  }
  if (typeof value === "string") return partitionOf(value, partitions);
  if (typeof value === "number" && Number.isFinite(value)) return partitionOf(String(value), partitions);
  return 0;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    if (byte !== 32 && byte !== 9) return false;
  }
  return true;
}
