import { open } from "node:fs/promises";
import { ConnectorError } from "../core/errors.js";
import type { Engine } from "../engines/engine.js";
import { listFiles } from "./peek-files.js";

export type JsonFormat = "array" | "newline_delimited";

/** JSON whitespace, and NUL (the other half of a UTF-16 space). */
const BLANK = new Set([0x00, 0x09, 0x0a, 0x0d, 0x20]);
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** How far the first line of a `[`-file is read to see whether it is a whole JSON value. */
const FIRST_LINE_LIMIT = 1024 * 1024;

/**
 * A file's JSON format. `[` as the first non-blank character (after a UTF-8 byte-order
 * mark) opens an array — unless the first line is a whole JSON value and more lines follow,
 * which is newline-delimited JSON whose records are arrays. Anything else is
 * newline-delimited. Undefined for a blank or unreadable file. Reads only the file's start.
 */
export async function jsonFormatOf(path: string): Promise<JsonFormat | undefined> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return undefined;
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let start: number | undefined;
    let line: Buffer[] = [];
    let lineBytes = 0;
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      const bytes = chunk.subarray(0, bytesRead);
      let i = position === 0 && UTF8_BOM.every((b, k) => bytes[k] === b) ? UTF8_BOM.length : 0;
      if (start === undefined) {
        while (i < bytes.length && BLANK.has(bytes[i]!)) i++;
        if (i === bytes.length) {
          if (bytesRead === 0) return undefined;
          position += bytesRead;
          continue;
        }
        if (bytes[i] !== 0x5b) return "newline_delimited";
        start = position + i;
      }
      if (lineBytes >= 0) {
        const newline = bytes.indexOf(0x0a, i);
        const end = newline < 0 ? bytes.length : newline;
        line.push(Buffer.from(bytes.subarray(i, end)));
        lineBytes += end - i;
        if (lineBytes > FIRST_LINE_LIMIT) return "array";
        if (newline < 0 && bytesRead > 0) {
          position += bytesRead;
          continue;
        }
        if (!isJson(Buffer.concat(line).toString("utf8"))) return "array";
        lineBytes = -1;
        line = [];
        i = end;
      }
      while (i < bytes.length && BLANK.has(bytes[i]!)) i++;
      if (i < bytes.length) return "newline_delimited";
      if (bytesRead === 0) return "array";
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Each file's JSON format (`jsonFormatOf`). Blank files are left out (they hold no record).
 */
export async function jsonFormats(
  engine: Engine,
  pattern: string,
): Promise<{ path: string; format: JsonFormat }[]> {
  const out: { path: string; format: JsonFormat }[] = [];
  for (const file of await listFiles(engine, pattern)) {
    const format = file.bytes === 0 ? undefined : await jsonFormatOf(file.path);
    if (format !== undefined) out.push({ path: file.path, format });
  }
  return out;
}

/**
 * Refuses a JSON array given to the NDJSON source: read line by line, it would load at most
 * a record or two and reject every other line, with no hint why.
 */
export async function assertNotJsonArray(engine: Engine, pattern: string, location: string): Promise<void> {
  const arrays = (await jsonFormats(engine, pattern)).filter((f) => f.format === "array").map((f) => f.path);
  if (arrays.length === 0) return;
  const what =
    arrays.length === 1 && arrays[0] === location ? location : `${location} (${arrays.join(", ")})`;
  const verb = arrays.length === 1 ? "is a JSON array" : "are JSON arrays";
  throw new ConnectorError(
    "CONNECTOR_READ_FAILED",
    `${what} ${verb}, not newline-delimited JSON; use JsonSource (type: json)`,
    { details: { location, files: arrays } },
  );
}
