import { messageOf, WeirError } from "../core/errors.js";
import type { ExpectationConfig, ExpectationResult } from "./expectations/expectation.js";

/**
 * GX's result of an expectation that raised: `exception_info` with the message and, as
 * `exception_traceback`, the chain of errors that led to it (weir's, then the engine's).
 */
export function exceptionResult(
  config: ExpectationConfig,
  message: string,
  error?: unknown,
): ExpectationResult {
  return {
    expectation: config,
    success: false,
    result: {},
    exception_info: {
      raised_exception: true,
      exception_message: message,
      exception_traceback: traceback(error) ?? message,
    },
  };
}

function traceback(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const name = e instanceof WeirError ? `${e.name} [${e.code}]` : e instanceof Error ? e.name : "Error";
    lines.push(`${depth === 0 ? "" : "caused by: "}${name}: ${messageOf(e)}`);
    e = e instanceof Error ? e.cause : undefined;
  }
  return lines.join("\n");
}

/** Connection losses and the like are not the expectation's fault: they abort the validation. */
export function rethrowIfTransient(error: unknown): void {
  if (error instanceof WeirError && error.retryable) throw error;
}

/** The engine's own message, without the statement weir's wrapper appends. */
export function engineMessage(error: unknown): string {
  const cause = error instanceof WeirError && error.cause !== undefined ? error.cause : error;
  return messageOf(cause);
}
