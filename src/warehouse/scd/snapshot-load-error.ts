import { WeirError } from "../../core/errors.js";

/** A snapshot that cannot be loaded into a dimension: names the table, dates, keys or columns. */
export class SnapshotLoadError extends WeirError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super("WAREHOUSE_LOAD_FAILED", message, { details, ...(cause === undefined ? {} : { cause }) });
  }
}
