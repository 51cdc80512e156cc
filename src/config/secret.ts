import { inspect } from "node:util";
import { ConfigError } from "../core/errors.js";

/**
 * Values of every `Secret` made in this process, longest first, so `redactSecrets` can
 * scrub them from text that is about to be logged or stored. Process-wide on purpose: a
 * secret leaks through whatever text it reaches (an error message quoting a URL, a log
 * line a task wrote), not only through the object that holds it. Kept on `globalThis`
 * because a pipeline file loaded with tsx gets its own copy of weir's modules: a source
 * built there registers its credential in that copy, and the CLI's copy must scrub it.
 */
interface SecretRegistry {
  known: Map<string, string>;
  ordered: [string, string][];
}
const REGISTRY = Symbol.for("weir.secrets");
const shared = globalThis as { [REGISTRY]?: SecretRegistry };
shared[REGISTRY] ??= { known: new Map(), ordered: [] };
const registry: SecretRegistry = shared[REGISTRY];

/** Values shorter than this are not scrubbed: replacing "1" everywhere would destroy logs, not protect them. */
const MIN_REDACTED_LENGTH = 4;

/**
 * A secret value (SMTP password, webhook URL) that never prints itself: `String()`,
 * template literals, `JSON.stringify` and `console.log`/`util.inspect` all show
 * `[secret NAME]`. Only `reveal()` returns the value, to hand to the client that needs it.
 * Making a `Secret` also registers its value for `redactSecrets`.
 *
 * @example
 * const url = secretFromEnv("SLACK_WEBHOOK_URL");
 * await fetch(url.reveal(), { method: "POST", body });
 * logger.log({ level: "info", message: `posted to ${url}` }); // "posted to [secret SLACK_WEBHOOK_URL]"
 */
export class Secret {
  readonly #value: string;
  /** Where the value came from (an environment variable's name); safe to print. */
  readonly name: string;

  constructor(name: string, value: string) {
    this.name = name;
    this.#value = value;
    registerSecretValue(name, value);
  }

  /** The value itself. Call it only where the value is handed to a client, never to build text. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return `[secret ${this.name}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Reads a secret from the environment. A missing or empty variable is a `ConfigError`
 * that names the variable and what needs it (never a value).
 */
export function secretFromEnv(
  variable: string,
  options: { env?: NodeJS.ProcessEnv; neededBy?: string } = {},
): Secret {
  const value = (options.env ?? process.env)[variable];
  if (value === undefined || value === "") {
    const who = options.neededBy ? `${options.neededBy} needs` : "expected";
    throw new ConfigError(`environment variable ${variable} is not set: ${who} a secret from it`, {
      details: { variable, ...(options.neededBy ? { neededBy: options.neededBy } : {}) },
    });
  }
  return new Secret(variable, value);
}

/** Registers a value to scrub without wrapping it (e.g. a password embedded in a connection URL). */
export function registerSecretValue(name: string, value: string): void {
  if (value.length < MIN_REDACTED_LENGTH) return;
  const mark = `[redacted ${name}]`;
  if (registry.known.get(value) === mark) return; // sources register on every request
  // The forms a value takes when a server or a serialiser echoes it back: as it is,
  // URL-encoded (a query string), form-encoded (`+` for spaces) and JSON-escaped (an error
  // body quoting it: `"` and `\` gain a backslash).
  const forms = new Set([
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ]);
  // A URL's path is often the credential itself (Slack webhooks: /services/T…/B…/token), and
  // servers echo paths in their errors without the host.
  const path = urlPath(value);
  if (path && path.length >= 8) forms.add(path);
  for (const form of forms) registry.known.set(form, mark);
  registry.ordered = [...registry.known.entries()].sort((a, b) => b[0].length - a[0].length);
}

function urlPath(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

/** True when some secret is registered (callers skip walking data otherwise). */
export function hasSecrets(): boolean {
  return registry.ordered.length > 0;
}

/** Replaces every registered secret value in `text` with `[redacted NAME]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [value, mark] of registry.ordered) {
    if (out.includes(value)) out = out.split(value).join(mark);
  }
  return out;
}

/**
 * The first `maxChars` of `text` (with `…` when cut), scrubbed of registered secrets
 * *before* it is cut: a cut through a secret would leave a fragment no longer recognised.
 *
 * @example
 * redactedSnippet(await response.text(), 200) // "invalid token [redacted API_TOKEN] for…"
 */
export function redactedSnippet(text: string, maxChars: number): string {
  const clean = redactSecrets(text);
  return clean.length > maxChars ? `${clean.slice(0, maxChars)}…` : clean;
}

/**
 * `redactSecrets` applied to every string inside plain objects and arrays (other objects
 * — Dates, Buffers, class instances — pass through unchanged). Returns the input itself
 * when nothing needed scrubbing, so the common case allocates nothing.
 */
export function redactDeep<T>(value: T): T {
  if (!hasSecrets()) return value;
  return scrub(value, 0) as T;
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (depth > 20 || typeof value !== "object" || value === null) return value;
  if (value instanceof Error) {
    const redacted = redactSecrets(value.message);
    if (redacted !== value.message) value.message = redacted;
    if (typeof value.stack === "string") value.stack = redactSecrets(value.stack);
    return value;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const s = scrub(v, depth + 1);
      if (s !== v) changed = true;
      return s;
    });
    return changed ? out : value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const s = scrub(v, depth + 1);
    if (s !== v) changed = true;
    out[k] = s;
  }
  return changed ? out : value;
}
