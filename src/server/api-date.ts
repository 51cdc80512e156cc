import { parseLogicalDate } from "../core/interval.js";
import { badRequest } from "./api-error.js";

/**
 * A date in a request body: "YYYY-MM-DD" (that UTC day; `endOfDay` makes it the whole day,
 * for the end of a range) or an ISO-8601 instant with its zone ("2024-01-15T02:00:00Z").
 */
export function parseApiDate(
  text: unknown,
  field: string,
  endOfDay = false,
): { date: Date; dateOnly: boolean } {
  if (typeof text !== "string")
    throw badRequest(`${field} must be a string (YYYY-MM-DD or an ISO-8601 instant)`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    let day: Date;
    try {
      day = parseLogicalDate(text);
    } catch {
      throw badRequest(`invalid ${field} ${JSON.stringify(text)}: no such day`, { [field]: text });
    }
    return { date: endOfDay ? new Date(day.getTime() + 86_400_000 - 1) : day, dateOnly: true };
  }
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) || Number.isNaN(date.getTime())) {
    throw badRequest(
      `invalid ${field} ${JSON.stringify(text)}: expected YYYY-MM-DD or an ISO-8601 instant with a zone, such as 2024-01-15T02:00:00Z`,
      { [field]: text },
    );
  }
  return { date, dateOnly: false };
}
