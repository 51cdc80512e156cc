import { type ErrorCode, WeirError, type WeirErrorOptions } from "../../core/errors.js";

/** Codes a governance failure carries: a refused detokenization, a broken audit chain. */
export type GovernanceErrorCode = Extract<ErrorCode, "DETOKENIZE_NOT_GRANTED" | "AUDIT_CHAIN_BROKEN">;

/**
 * A governance rule refused something or found tampering. Never retryable: asking again
 * without a grant, or re-reading a broken chain, gives the same answer.
 */
export class GovernanceError extends WeirError {
  constructor(code: GovernanceErrorCode, message: string, options: Omit<WeirErrorOptions, "retryable"> = {}) {
    super(code, message, { ...options, retryable: false });
  }
}
