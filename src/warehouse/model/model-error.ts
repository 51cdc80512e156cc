import { WeirError } from "../../core/errors.js";

/** A warehouse model that cannot be built: names the table and what is wrong. */
export class ModelError extends WeirError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("WAREHOUSE_MODEL_INVALID", message, details ? { details } : {});
  }
}

/**
 * Model names become SQL identifiers (always quoted), so any text is safe in SQL; what is
 * refused is what no engine keeps faithfully: empty names, NUL, and names over 63 bytes
 * (PostgreSQL truncates longer ones silently).
 */
export function checkModelName(name: string, what: string): void {
  if (typeof name !== "string" || name.length === 0) throw new ModelError(`${what} is empty`);
  if (name.includes("\0")) throw new ModelError(`${what} ${JSON.stringify(name)} holds a NUL character`);
  if (Buffer.byteLength(name) > 63) {
    throw new ModelError(`${what} ${JSON.stringify(name)} is longer than 63 bytes`);
  }
}
