import { messageOf } from "../../core/errors.js";
import { WarehouseLoadError } from "../warehouse-load-error.js";

/** A refresh that could not be applied; names the aggregate, its fact and the key values. */
export class AggregateRefreshError extends WarehouseLoadError {
  constructor(message: string, cause: unknown, details: Record<string, unknown>) {
    super(`${message}: ${messageOf(cause)}`, details, cause);
  }
}
