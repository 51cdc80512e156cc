/** What the params field holds: the object to send, or why it cannot be sent. */
export type ParsedParams =
  | { ok: true; params: Record<string, string> | undefined }
  | { ok: false; error: string };

/**
 * A run's params as typed in the trigger dialog: empty for none, else a JSON object whose
 * values are strings, numbers or booleans (the server stores them as strings). Checked
 * here so a typo never becomes a request.
 */
export function parseParams(text: string): ParsedParams {
  if (text.trim() === "") return { ok: true, params: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return { ok: false, error: `params are not valid JSON: ${reason}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: 'params must be a JSON object, e.g. {"region": "eu"}' };
  }
  const params: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
      return { ok: false, error: `params.${key} must be a string, number or boolean` };
    }
    params[key] = String(item);
  }
  return { ok: true, params };
}
