import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrorCode, messageOf, WeirError } from "../core/errors.js";

/** The HTTP status of each error code the API answers with; anything else is a 500. */
const STATUS_OF: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  CONFIG_INVALID: 400,
  PIPELINE_INVALID: 400,
  LINEAGE_DATASET_UNKNOWN: 404,
  PIPELINE_NOT_FOUND: 404,
  LAKE_NOT_FOUND: 404,
  SERVER_NOT_FOUND: 404,
  RUN_CONFLICT: 409,
  STREAM_LEASE_LOST: 409,
  SERVER_UNAUTHORIZED: 401,
  SERVER_FORBIDDEN: 403,
  SERVER_CSRF: 403,
  DETOKENIZE_NOT_GRANTED: 403,
};

/** A 404 naming what was asked for. */
export function notFound(what: string, details: Record<string, unknown> = {}): WeirError {
  return new WeirError("SERVER_NOT_FOUND", `${what} not found`, { details });
}

/** A 400 for a malformed request. */
export function badRequest(message: string, details: Record<string, unknown> = {}): WeirError {
  return new WeirError("CONFIG_INVALID", message, { details });
}

/** Hono's `onError`: `{ error: { code, message, details? } }` with the code's status. */
export function answerError(error: unknown, c: Context): Response {
  if (error instanceof WeirError) {
    const status = STATUS_OF[error.code] ?? 500;
    const details = Object.keys(error.details).length > 0 ? { details: error.details } : {};
    return c.json({ error: { code: error.code, message: error.message, ...details } }, status);
  }
  // Hono's own HTTPException (a body too large, a malformed request) keeps its status.
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return c.json(
      { error: { code: "CONFIG_INVALID", message: messageOf(error) } },
      status as ContentfulStatusCode,
    );
  }
  return c.json({ error: { code: "INTERNAL", message: messageOf(error) } }, 500);
}
