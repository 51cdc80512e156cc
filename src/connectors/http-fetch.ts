import { redactedSnippet } from "../config/secret.js";
import { ConnectorError, messageOf, WeirError } from "../core/errors.js";
import { fetchFollowingRedirects } from "./fetch-following-redirects.js";
import { redactUrl } from "./redact-url.js";

export { redactUrl } from "./redact-url.js";

/** How much of an error body a message quotes; scrubbed of secrets before it is cut. */
const BODY_SNIPPET_CHARS = 200;

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay before attempt `attempt + 1`: exponential, capped, with "equal jitter" so clients spread out. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return exp / 2 + random() * (exp / 2);
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

export interface FetchJsonOptions {
  /** The headers for a request of `to` reached from `from`, asked for every redirect hop. */
  headersFor(from: URL, to: URL): Record<string, string>;
  /** The page `url` was found on (a pagination link), so credentials follow the same rule as redirects. */
  from?: URL | undefined;
  retry: RetryPolicy;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface JsonResponse {
  body: unknown;
  headers: Headers;
  status: number;
  attempts: number;
}

/**
 * GETs a JSON document, retrying 429, 5xx and network failures with exponential backoff
 * and jitter (a server's `Retry-After` wins when it asks for longer, up to `maxDelayMs`).
 * Other 4xx fail at once. Redirects are followed hop by hop (`fetchFollowingRedirects`), so
 * credentials reach only the origins `headersFor` trusts. Every error names the redacted URL
 * and the last status; a body quoted in an error is scrubbed of registered secrets first.
 */
export async function fetchJson(url: URL, options: FetchJsonOptions): Promise<JsonResponse> {
  const label = redactUrl(url);
  let lastProblem = "";
  for (let attempt = 1; attempt <= options.retry.maxAttempts; attempt++) {
    options.signal?.throwIfAborted();
    let response: Response;
    try {
      const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
      ({ response } = await fetchFollowingRedirects(url, {
        headersFor: options.headersFor,
        from: options.from,
        signal: AbortSignal.any(signals),
      }));
    } catch (error) {
      // A redirect loop or an unset credential variable is not a network hiccup: no retry.
      if (error instanceof WeirError) throw error;
      options.signal?.throwIfAborted();
      lastProblem = `network error: ${messageOf(error)}`;
      if (attempt < options.retry.maxAttempts)
        await sleep(backoffDelay(attempt, options.retry), options.signal);
      continue;
    }
    if (response.ok) {
      const text = await response.text();
      try {
        return {
          body: text === "" ? null : JSON.parse(text),
          headers: response.headers,
          status: response.status,
          attempts: attempt,
        };
      } catch (error) {
        throw new ConnectorError(
          "CONNECTOR_READ_FAILED",
          `GET ${label} answered ${response.status} with a body that is not JSON`,
          {
            cause: error,
            details: { url: label, status: response.status, body: redactedSnippet(text, BODY_SNIPPET_CHARS) },
          },
        );
      }
    }
    const retryable = response.status === 429 || response.status >= 500;
    // Scrubbed before it is cut: a cut through a token echoed back would leave half of it unrecognised.
    const snippet = redactedSnippet(await response.text().catch(() => ""), BODY_SNIPPET_CHARS);
    lastProblem = `HTTP ${response.status}${snippet ? `: ${snippet}` : ""}`;
    if (!retryable) {
      throw new ConnectorError("CONNECTOR_HTTP_FAILED", `GET ${label} failed with ${lastProblem}`, {
        retryable: false,
        details: { url: label, status: response.status, attempts: attempt },
      });
    }
    if (attempt < options.retry.maxAttempts) {
      const asked = retryAfterMs(response.headers.get("retry-after"));
      const delay = Math.min(
        options.retry.maxDelayMs,
        Math.max(asked ?? 0, backoffDelay(attempt, options.retry)),
      );
      await sleep(delay, options.signal);
    }
  }
  throw new ConnectorError(
    "CONNECTOR_HTTP_FAILED",
    `GET ${label} still failing after ${options.retry.maxAttempts} attempts (last: ${lastProblem}); the server may recover, retry later`,
    { retryable: true, details: { url: label, attempts: options.retry.maxAttempts, last: lastProblem } },
  );
}
