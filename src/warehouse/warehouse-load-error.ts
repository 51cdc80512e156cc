import { WeirError } from "../core/errors.js";

/**
 * A warehouse load (snapshot, fact load or repair, aggregate refresh) that cannot be
 * applied: WAREHOUSE_LOAD_FAILED, naming the table and what is wrong. Nothing of the load
 * is kept: every load is one transaction.
 */
export class WarehouseLoadError extends WeirError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super("WAREHOUSE_LOAD_FAILED", message, { details, ...(cause === undefined ? {} : { cause }) });
  }
}
