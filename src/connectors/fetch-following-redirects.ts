import { ConnectorError } from "../core/errors.js";
import { redactUrl } from "./redact-url.js";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The limit browsers and curl use in spirit (Fetch says 20, curl 50); an API needs far fewer. */
export const MAX_REDIRECTS = 10;

export interface FollowRedirectsOptions {
  /** The headers for a request of `to`, reached from `from`; asked again for every hop. */
  headersFor(from: URL, to: URL): Record<string, string>;
  /** The page this request was reached from (a pagination link); the URL itself otherwise. */
  from?: URL | undefined;
  signal: AbortSignal;
  maxRedirects?: number;
}

export interface FollowedResponse {
  response: Response;
  /** Where the response came from, after the redirects. */
  url: URL;
}

/**
 * GETs `url`, following redirects itself instead of letting `fetch` do it: `fetch` strips
 * only `Authorization` on a cross-origin redirect and keeps every other header (an
 * `X-Api-Key` would travel to whatever host a redirect names), so each hop asks
 * `headersFor` again with the URL it came from. 301/302/303/307/308 are followed (all as
 * GET, which is all a source sends); more than `maxRedirects` hops is an error, as is a
 * `Location` that is not http(s). A 3xx without `Location` is returned as it is.
 */
export async function fetchFollowingRedirects(
  url: URL,
  options: FollowRedirectsOptions,
): Promise<FollowedResponse> {
  const max = options.maxRedirects ?? MAX_REDIRECTS;
  let from = options.from ?? url;
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, {
      headers: options.headersFor(from, current),
      redirect: "manual",
      signal: options.signal,
    });
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
    if (location === null) return { response, url: current };
    // The redirect's own body is never read; cancelling it frees the connection.
    await response.body?.cancel();
    const next = URL.canParse(location, current.href) ? new URL(location, current) : undefined;
    if (!next || (next.protocol !== "https:" && next.protocol !== "http:")) {
      throw redirectError(url, `was redirected to ${JSON.stringify(location)}, which is not an http(s) URL`);
    }
    if (hop >= max) {
      throw redirectError(
        url,
        `followed more than ${max} redirects (the last to ${redactUrl(next)}): a redirect loop, or a misconfigured server`,
      );
    }
    from = current;
    current = next;
  }
}

function redirectError(url: URL, problem: string): ConnectorError {
  const label = redactUrl(url);
  return new ConnectorError("CONNECTOR_HTTP_FAILED", `GET ${label} ${problem}`, {
    retryable: false,
    details: { url: label },
  });
}
