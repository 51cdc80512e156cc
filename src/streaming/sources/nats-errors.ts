import { messageOf, StreamError } from "../../core/errors.js";

/**
 * A NATS or JetStream failure as a `StreamError`. A JetStream API answer in the 4xx range
 * (stream not found, a consumer config the server refuses) will answer the same way again,
 * so it is not retryable; timeouts, lost connections and no-responders may pass, so they are.
 */
export function natsFailure(
  what: string,
  cause: unknown,
  details: Record<string, unknown> = {},
): StreamError {
  const status = apiStatus(cause);
  return new StreamError("STREAM_SOURCE_FAILED", `${what}: ${messageOf(cause)}`, {
    cause,
    retryable: status === undefined || status >= 500,
    details,
  });
}

/** The HTTP-like status of a JetStream API error (`JetStreamApiError`), undefined for anything else. */
export function apiStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { apiError?: unknown; status?: unknown };
  return typeof candidate.apiError === "function" && typeof candidate.status === "number"
    ? candidate.status
    : undefined;
}

/** The JetStream API error code (`err_code`, e.g. 10014 consumer not found), undefined for anything else. */
export function apiCode(error: unknown): number | undefined {
  if (apiStatus(error) === undefined) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}
