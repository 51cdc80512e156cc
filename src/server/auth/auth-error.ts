import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../../core/errors.js";

/** The API's error body (`{ error: { code, message, details? } }`) with its status. */
export function authErrorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): Response {
  return c.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
}
