/**
 * Reads text as Python's `json.loads` does (what GX's JSON Schema metric calls): strict
 * JSON, plus the bare constants NaN, Infinity and -Infinity Python writes and reads by
 * default. Throws a SyntaxError otherwise.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const marked = markConstants(text);
    if (marked === text) throw error;
    return restore(JSON.parse(marked));
  }
}

const MARK = "\u0000weir-json:";
const CONSTANTS: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

/** The text with NaN / Infinity outside strings replaced by marked strings. */
function markConstants(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const word = /^(?:-Infinity|Infinity|NaN)/.exec(text.slice(i))?.[0];
    if (word !== undefined) {
      out += JSON.stringify(MARK + word);
      i += word.length - 1;
    } else out += c;
  }
  return out;
}

function restore(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith(MARK)) return CONSTANTS[value.slice(MARK.length)];
  if (Array.isArray(value)) return value.map(restore);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v)]));
  return value;
}
