import { WeirError } from "../../core/errors.js";

/** A fact load or repair that cannot be applied: names the table and what is wrong. */
export class FactLoadError extends WeirError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super("WAREHOUSE_LOAD_FAILED", message, { details, ...(cause === undefined ? {} : { cause }) });
  }
}
