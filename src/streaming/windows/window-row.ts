/**
 * One window of one group as the state emits it. `keyValues` is the array the state keeps
 * for the group (shared by its windows): read it, do not change it.
 */
export interface WindowRow {
  /** Epoch milliseconds, inclusive. */
  start: number;
  /** Epoch milliseconds, exclusive. */
  end: number;
  keyValues: unknown[];
  /** One value per aggregate, as RecordBatch cells. */
  results: unknown[];
}

/** The order rows are emitted in: window start, then group key by UTF-16 code units (locale-free, stable). */
export function compareWindowOrder(startA: number, keyA: string, startB: number, keyB: string): number {
  if (startA !== startB) return startA - startB;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}
