import type { Context } from "hono";
import { badRequest } from "./api-error.js";

/** The request's JSON object body; an empty body is `{}`, anything but an object a 400. */
export async function readJsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("the request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("the request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
