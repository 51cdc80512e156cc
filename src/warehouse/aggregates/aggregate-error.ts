import { messageOf, WeirError } from "../../core/errors.js";

/** A refresh that could not be applied; names the aggregate, its fact and the key values. */
export class AggregateRefreshError extends WeirError {
  constructor(message: string, cause: unknown, details: Record<string, unknown>) {
    super("WAREHOUSE_LOAD_FAILED", `${message}: ${messageOf(cause)}`, { cause, details });
  }
}
