import { ConfigError, ConnectorError, messageOf } from "../core/errors.js";

const SECRET_PARAM = /token|key|secret|password|passwd|signature|auth/i;

/**
 * The URL with the values of secret-looking query parameters (token, key, secret,
 * password…) replaced by `***`, for messages, rejections and lineage.
 *
 * @example
 * redactUrl("https://api.example.com/x?api_key=abc&page=2") // "https://api.example.com/x?api_key=***&page=2"
 */
export function redactUrl(url: string | URL): string {
  const u = new URL(String(url));
  if (u.username || u.password) {
    u.username = u.username ? "***" : "";
    u.password = u.password ? "***" : "";
  }
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) u.searchParams.set(name, "***");
  }
  return u.toString().replaceAll("%2A%2A%2A", "***");
}

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
  headers: Record<string, string>;
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
 * Other 4xx fail at once. Every error names the redacted URL and the last status.
 */
export async function fetchJson(url: URL, options: FetchJsonOptions): Promise<JsonResponse> {
  const label = redactUrl(url);
  let lastProblem = "";
  for (let attempt = 1; attempt <= options.retry.maxAttempts; attempt++) {
    options.signal?.throwIfAborted();
    let response: Response;
    try {
      const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
      response = await fetch(url, { headers: options.headers, signal: AbortSignal.any(signals) });
    } catch (error) {
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
            details: { url: label, status: response.status, body: text.slice(0, 200) },
          },
        );
      }
    }
    const retryable = response.status === 429 || response.status >= 500;
    const snippet = (await response.text().catch(() => "")).slice(0, 200);
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

/** The auth header from an environment variable named in config; the value never sits in config. */
export function authHeader(
  auth: { env: string; header: string; scheme?: string | undefined } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  if (!auth) return {};
  const value = env[auth.env];
  if (value === undefined || value === "") {
    throw new ConfigError(`HTTP source: environment variable ${auth.env} (auth.env) is not set`, {
      details: { env: auth.env },
    });
  }
  return { [auth.header]: auth.scheme ? `${auth.scheme} ${value}` : value };
}
