import { redactedSnippet, redactSecrets, type Secret } from "../../config/secret.js";
import { messageOf } from "../../core/errors.js";
import { type Logger, silentLogger, warn } from "../../core/log.js";
import type { RunEvent } from "../openlineage/types.js";
import { EventBuffer } from "./event-buffer.js";
import { DEFAULT_FLUSH_TIMEOUT_MS, type LineageTransport, within } from "./transport.js";

export interface HttpTransportOptions {
  /**
   * The OpenLineage endpoint's base URL (`http://marquez:5000`), or the full URL of the
   * endpoint when it has a path (`https://lineage.example.com/api/v1/lineage`).
   */
  url: string;
  /** Appended to a bare `url`; default `api/v1/lineage` (Marquez, and the official clients' default). */
  endpoint?: string;
  /** Sent as `Authorization: Bearer <key>`. */
  apiKey?: Secret;
  /** One request's timeout; default 5 s (the official Python client's). */
  timeoutMs?: number;
  /** Events kept in memory while the endpoint is slow or down; default 10,000. The oldest go first. */
  maxBuffer?: number;
  /** Attempts after the first for a network error, 5xx or 429; default 5. */
  retries?: number;
  /** First retry delay, doubled each attempt (with jitter), at most `maxBackoffMs`; default 200 ms. */
  backoffMs?: number;
  /** default 10 s. */
  maxBackoffMs?: number;
  logger?: Logger;
  /** Node's global `fetch` unless a test passes another. */
  fetch?: typeof fetch;
}

export interface HttpTransportStats {
  /** Events the endpoint accepted. */
  sent: number;
  /** Events pushed out of the full buffer (oldest first), or emitted after close. */
  dropped: number;
  /** Events given up on: rejected with a 4xx, or still failing after every retry, or left at close. */
  failed: number;
  /** Events waiting to be sent. */
  buffered: number;
}

/** The statuses worth another try: the server is overloaded or broken, not the event. */
const retryableStatus = (status: number) => status === 429 || status === 408 || status >= 500;

/**
 * POSTs each event as JSON (`Content-Type: application/json`) to an OpenLineage endpoint
 * such as Marquez's `/api/v1/lineage`, one at a time and in emit order, from a bounded
 * in-memory buffer drained in the background.
 *
 * A network error, a timeout, 5xx or 429 is retried with exponential backoff (429's
 * `Retry-After` is honoured); another 4xx means the endpoint refuses that event, so it is
 * not retried. While the endpoint is down, events wait in the buffer; when it is full the
 * oldest are dropped and counted in `stats.dropped`, with one warning — memory stays
 * bounded however long the outage. `flush` and `close` wait at most their timeout. Call
 * `close` when done: until then a retrying sender keeps the process alive, as a pending
 * request would.
 *
 * @example
 * const transport = new HttpTransport({ url: "http://localhost:5000", apiKey: secretFromEnv("MARQUEZ_API_KEY") });
 * transport.emit(event);
 * await transport.close(5_000);
 */
export class HttpTransport implements LineageTransport {
  readonly kind = "http";
  /** Where events are POSTed. */
  readonly endpointUrl: string;
  readonly #options: HttpTransportOptions;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch;
  readonly #buffer: EventBuffer;
  readonly #retries: number;
  #sending: Promise<void> | undefined;
  /** Aborts the request or backoff sleep in flight when `close` runs out of time. */
  #abort = new AbortController();
  #closed = false;
  #sent = 0;
  #dropped = 0;
  #failed = 0;
  #warnedDrop = false;
  #warnedFailure = false;
  #summarised = false;
  /** A 429's Retry-After, used for the next backoff only. */
  #retryAfterMs: number | undefined;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.endpointUrl = endpointUrl(options.url, options.endpoint);
    this.#logger = options.logger ?? silentLogger;
    this.#fetch = options.fetch ?? fetch;
    this.#buffer = new EventBuffer(options.maxBuffer ?? 10_000);
    this.#retries = options.retries ?? 5;
  }

  get stats(): HttpTransportStats {
    return { sent: this.#sent, dropped: this.#dropped, failed: this.#failed, buffered: this.#buffer.size };
  }

  /** Events dropped because the buffer was full (or emitted after close). */
  get dropped(): number {
    return this.#dropped;
  }

  emit(event: RunEvent): void {
    try {
      if (this.#closed) {
        this.#countDropped(1, "the transport is closed");
        return;
      }
      const pushedOut = this.#buffer.push(JSON.stringify(event));
      if (pushedOut > 0)
        this.#countDropped(pushedOut, `the buffer of ${this.#buffer.capacity} events is full`);
      this.#sending ??= this.#drain();
    } catch (error) {
      this.#countFailed(1, `could not serialise the event: ${messageOf(error)}`);
    }
  }

  async flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
    return within(this.#idle(), timeoutMs);
  }

  async close(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
    this.#closed = true;
    const drained = await this.flush(timeoutMs);
    if (!drained) {
      // Out of time: stop the request or backoff in flight; what is left is lost, and said so.
      this.#abort.abort();
      const left = this.#buffer.clear();
      if (left > 0) this.#countFailed(left, `closed with ${left} event(s) not yet delivered`);
      await this.#sending?.catch(() => undefined);
    }
    if (this.#dropped + this.#failed > 0 && !this.#summarised) {
      this.#summarised = true;
      warn(this.#logger, "lineage: some OpenLineage events were not delivered", {
        endpoint: this.#endpointLabel(),
        ...this.stats,
      });
    }
    return drained;
  }

  async #idle(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  /**
   * The one sender: takes the oldest event out of the buffer and sends it, until the buffer
   * is empty. The event in flight is out of the buffer, so an overflow meanwhile cannot
   * drop it too (it would be counted twice); the buffer holds `maxBuffer` waiting events.
   */
  async #drain(): Promise<void> {
    try {
      for (let body = this.#buffer.shift(); body !== undefined; body = this.#buffer.shift()) {
        if (this.#abort.signal.aborted) {
          this.#countFailed(1, "closed before the event was delivered");
          return;
        }
        const outcome = await this.#deliver(body);
        if (outcome === "sent") this.#sent++;
        else if (outcome === "aborted") this.#countFailed(1, "closed while the event was in flight");
      }
    } finally {
      this.#sending = undefined;
    }
  }

  /** Sends one event with retries: sent, given up on (and counted), or cut short by `close`. */
  async #deliver(body: string): Promise<"sent" | "given-up" | "aborted"> {
    let lastProblem = "";
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (this.#abort.signal.aborted) return "aborted";
      if (attempt > 0) {
        const slept = await sleep(this.#backoff(attempt), this.#abort.signal);
        if (!slept) return "aborted";
      }
      let response: Response;
      try {
        response = await this.#fetch(this.endpointUrl, {
          method: "POST",
          headers: this.#headers(),
          body,
          signal: AbortSignal.any([
            this.#abort.signal,
            AbortSignal.timeout(this.#options.timeoutMs ?? 5_000),
          ]),
        });
      } catch (error) {
        if (this.#abort.signal.aborted) return "aborted";
        lastProblem = `the request failed: ${redactSecrets(messageOf(error))}`;
        continue;
      }
      if (response.ok) {
        await response.body?.cancel();
        return "sent";
      }
      const text = redactedSnippet(await response.text().catch(() => ""), 200);
      lastProblem = `the endpoint answered HTTP ${response.status}${text ? `: ${text}` : ""}`;
      if (!retryableStatus(response.status)) {
        this.#countFailed(1, `${lastProblem} (not retried: the endpoint refuses this event)`);
        return "given-up";
      }
      const retryAfter = Number(response.headers.get("retry-after"));
      if (response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) {
        lastProblem = `${lastProblem}; retry after ${retryAfter}s`;
        this.#retryAfterMs = retryAfter * 1000;
      }
    }
    this.#countFailed(1, `${lastProblem} (gave up after ${this.#retries + 1} attempts)`);
    return "given-up";
  }

  #backoff(attempt: number): number {
    const max = this.#options.maxBackoffMs ?? 10_000;
    if (this.#retryAfterMs !== undefined) {
      const wait = Math.min(this.#retryAfterMs, max);
      this.#retryAfterMs = undefined;
      return wait;
    }
    const base = (this.#options.backoffMs ?? 200) * 2 ** (attempt - 1);
    // Full jitter on the upper half: many weir processes retrying one endpoint do not march in step.
    return Math.min(max, base / 2 + Math.random() * (base / 2));
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.#options.apiKey) headers.authorization = `Bearer ${this.#options.apiKey.reveal()}`;
    return headers;
  }

  /** The endpoint without user info or query: for logs. */
  #endpointLabel(): string {
    const url = new URL(this.endpointUrl);
    return `${url.protocol}//${url.host}${url.pathname}`;
  }

  #countDropped(count: number, why: string): void {
    this.#dropped += count;
    if (this.#warnedDrop) return;
    this.#warnedDrop = true;
    warn(this.#logger, `lineage: dropping OpenLineage events: ${why}; later drops are counted, not logged`, {
      endpoint: this.#endpointLabel(),
    });
  }

  #countFailed(count: number, why: string): void {
    this.#failed += count;
    if (this.#warnedFailure) return;
    this.#warnedFailure = true;
    warn(
      this.#logger,
      `lineage: an OpenLineage event was not delivered: ${why}; later failures are counted, not logged`,
      {
        endpoint: this.#endpointLabel(),
      },
    );
  }
}

/**
 * `url` + `endpoint` as the official clients join them, except that a `url` which already
 * has a path is taken as the endpoint itself (so `…/api/v1/lineage` is not doubled).
 */
export function endpointUrl(url: string, endpoint?: string): string {
  const base = new URL(url);
  if (endpoint === undefined && base.pathname !== "/" && base.pathname !== "") return base.href;
  const withSlash = base.href.endsWith("/") ? base.href : `${base.href}/`;
  return new URL((endpoint ?? "api/v1/lineage").replace(/^\//, ""), withSlash).href;
}

/** Waits `ms` unless the signal aborts first; true when the full time passed. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
