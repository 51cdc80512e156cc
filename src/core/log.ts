/**
 * Logging is an injected function so library code never writes to stdout. Events are
 * built lazily by callers that check `enabled` first when building them costs something.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogEvent {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

export interface Logger {
  log(event: LogEvent): void;
}

export const silentLogger: Logger = { log() {} };

export function info(logger: Logger, message: string, fields?: Record<string, unknown>): void {
  logger.log({ level: "info", message, ...(fields ? { fields } : {}) });
}

export function warn(logger: Logger, message: string, fields?: Record<string, unknown>): void {
  logger.log({ level: "warn", message, ...(fields ? { fields } : {}) });
}
