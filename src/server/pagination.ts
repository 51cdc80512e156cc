import { badRequest } from "./api-error.js";

/** A page of a list: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** `?limit=`: 1…500, default 50. */
export function pageSize(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_PAGE_SIZE;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw badRequest(
      `invalid limit ${JSON.stringify(text)}: expected a whole number from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return n;
}

/**
 * A keyset cursor: the sort key of the last item of a page (a time and an id), opaque to
 * clients (base64url JSON) so the key can change without breaking their code.
 */
export interface PageKey {
  at: string;
  id: string;
}

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined): PageKey | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string")) {
      return { at: value[0] as string, id: value[1] as string };
    }
  } catch {
    // Falls through to the error below.
  }
  throw badRequest("invalid cursor: pass the nextCursor of a previous page unchanged", { cursor });
}

/**
 * The page from `limit + 1` rows read after the cursor: the extra row only says there is a
 * next page, whose cursor is the key of the page's last item.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (item: T) => PageKey): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
