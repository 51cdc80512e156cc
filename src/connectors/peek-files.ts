import { open } from "node:fs/promises";
import type { Engine } from "../engines/engine.js";

export interface ListedFile {
  path: string;
  bytes: number;
}

export interface PeekedFile extends ListedFile {
  /** Nothing but whitespace and newlines (or nothing at all): no header, no rows. */
  blank: boolean;
  /**
   * The first non-blank lines, at most `maxLines`. Read only until one file has all
   * `maxLines` (the input has rows, and later files need not be looked at); undefined for
   * the files after it, and when the lines could not be read (invalid text, a line over the
   * size limit — the real read reports those line by line).
   */
  lines?: string[] | undefined;
}

export interface PeekOptions {
  /** Non-blank lines that show a file has rows: 2 with a header line, 1 without. */
  maxLines: number;
  encoding?: string;
  maxLineBytes?: number;
}

/**
 * The files a path or glob names, as DuckDB's readers expand it (the same files, in the
 * same order), with their sizes. The contents are not read.
 */
export async function listFiles(engine: Engine, pattern: string): Promise<ListedFile[]> {
  const rows = await engine.query<{ filename: string; size: number | bigint }>(
    "SELECT filename, size FROM read_blob($1)",
    [pattern],
  );
  return rows.map((r) => ({ path: r.filename, bytes: Number(r.size) }));
}

/**
 * Looks at the start of the files a path or glob names, to find blank files and files with
 * only a header line *before* DuckDB's CSV sniffer sees them: it reads a blank file as one
 * text column `column0`, and then fails every other file of the glob (or, alone, lands
 * zero rows of that phantom column). Blankness is a byte scan that stops at the first
 * non-whitespace byte; lines are read by DuckDB with the source's encoding, and only until
 * a file with rows is found, so a glob of ordinary files costs one short read each.
 *
 * @example
 * const files = await peekFiles(engine, "exports/*.csv", { maxLines: 2 });
 * const noRows = files.every((f) => f.blank || (f.lines !== undefined && f.lines.length < 2));
 */
export async function peekFiles(
  engine: Engine,
  pattern: string,
  options: PeekOptions,
): Promise<PeekedFile[]> {
  const peeked: PeekedFile[] = [];
  let rowsFound = false;
  for (const file of await listFiles(engine, pattern)) {
    const blank = file.bytes === 0 || (await isBlank(file.path));
    if (blank) peeked.push({ ...file, blank, lines: [] });
    else if (rowsFound) peeked.push({ ...file, blank });
    else {
      const lines = await firstLines(engine, file.path, options);
      rowsFound = lines === undefined || lines.length >= options.maxLines;
      peeked.push({ ...file, blank, lines });
    }
  }
  return peeked;
}

/** Whitespace, and NUL (the other half of a UTF-16 space or newline). */
const BLANK_BYTES = new Set([0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);
const BYTE_ORDER_MARKS = [
  [0xef, 0xbb, 0xbf],
  [0xff, 0xfe],
  [0xfe, 0xff],
];

/** True when the file holds only whitespace (after a byte-order mark); false when unreadable here. */
async function isBlank(path: string): Promise<boolean> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return false;
  try {
    const chunk = Buffer.alloc(64 * 1024);
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return true;
      let start = 0;
      if (position === 0) {
        const mark = BYTE_ORDER_MARKS.find((m) => m.every((b, i) => chunk[i] === b));
        start = mark?.length ?? 0;
      }
      for (let i = start; i < bytesRead; i++) if (!BLANK_BYTES.has(chunk[i]!)) return false;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

async function firstLines(engine: Engine, path: string, options: PeekOptions): Promise<string[] | undefined> {
  const q = (v: string) => engine.dialect.quoteLiteral(v);
  const reader = [
    "columns = {'line': 'VARCHAR'}",
    "header = false",
    "auto_detect = false",
    `delim = ${q("\u0001")}`,
    "quote = ''",
    "escape = ''",
    ...(options.encoding ? [`encoding = ${q(options.encoding)}`] : []),
    ...(options.maxLineBytes ? [`max_line_size = ${options.maxLineBytes}`] : []),
  ].join(", ");
  const rows = await engine
    .query<{ line: string }>(
      `SELECT line FROM read_csv(${q(path)}, ${reader}) WHERE regexp_matches(line, '\\S') LIMIT ${options.maxLines}`,
    )
    .catch(() => undefined);
  return rows?.map((r) => r.line);
}
