import { WeirError, type WeirErrorOptions } from "../../core/errors.js";

/**
 * An erasure that could not remove the subject from every dataset it found (a lake
 * dataset locked too long, a lost connection). Retryable: what was removed stays removed,
 * and running the same erasure again finds and removes the rest.
 */
export class ErasureError extends WeirError {
  constructor(message: string, options: Omit<WeirErrorOptions, "retryable"> = {}) {
    super("ERASURE_FAILED", message, { ...options, retryable: true });
  }
}
