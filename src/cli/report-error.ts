import pc from "picocolors";
import { redactSecrets } from "../config/secret.js";
import { ERROR_CODES, type ErrorCode } from "../core/errors.js";

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  cause?: unknown;
  stack?: unknown;
}

/**
 * Prints `error [CODE]: message`, the error's details and its causes to stderr (the stack
 * only with `verbose`) and returns the exit code for the code. Errors are read by shape,
 * not `instanceof`: a pipeline file loaded at run time may throw another copy's errors.
 */
export function reportError(error: unknown, verbose: boolean): number {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as ErrorShape;
  const code = isErrorCode(e.code) ? e.code : "INTERNAL";
  const message = String(e.message ?? error);
  const lines = [`${pc.red(pc.bold("error"))} ${pc.dim(`[${code}]`)}: ${message}`];
  lines.push(...detailLines(e.details));
  let cause = e.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    const c = (
      typeof cause === "object" && cause !== null ? cause : { message: String(cause) }
    ) as ErrorShape;
    // A wrapper's message quotes its cause's (a task's, a connector's, the engine's): a
    // cause already said in full is not said again, unless asked for everything.
    // A cause's details are still printed, but not what the messages said already (a
    // statement quoted in full, the file it is about).
    // (By its first line: a driver's message may go on to quote the statement, which the
    // engine's error names once already.)
    const first = String(c.message).split("\n")[0]!.trim();
    const said = !verbose && first !== "" && message.includes(first);
    if (!said) {
      const tag = typeof c.code === "string" ? ` [${c.code}]` : "";
      lines.push(`  ${pc.dim(`caused by${tag}:`)} ${String(c.message)}`);
    }
    lines.push(...detailLines(c.details, verbose ? "" : message).map((l) => `  ${l}`));
    if (verbose && typeof c.stack === "string") lines.push(pc.dim(c.stack));
    cause = c.cause;
  }
  if (verbose && typeof e.stack === "string") lines.push(pc.dim(e.stack));
  else if (code === "INTERNAL") lines.push(pc.dim("  (run with --verbose for the stack trace)"));
  // Messages may quote a secret a task read (a URL, a DSN): scrub it, the code and details stay.
  process.stderr.write(`${redactSecrets(lines.join("\n"))}\n`);
  return ERROR_CODES[code].exitCode;
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}

/** The details as `key: value` lines, leaving out string values `said` holds already (a shortened statement counts). */
function detailLines(details: unknown, said = ""): string[] {
  if (typeof details !== "object" || details === null) return [];
  const alreadySaid = (v: unknown) =>
    typeof v === "string" &&
    said !== "" &&
    (said.includes(v) || (v.length > 400 && said.includes(v.slice(0, 400))));
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && !alreadySaid(v))
    .map(([k, v]) => `  ${pc.dim(`${k}:`)} ${typeof v === "string" ? v : JSON.stringify(v, jsonSafe)}`);
}

/** JSON.stringify replacer that prints bigints as numbers or strings. */
export function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value !== "bigint") return value;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}
