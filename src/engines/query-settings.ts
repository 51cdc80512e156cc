import { EngineError } from "../core/errors.js";

/**
 * Refuses settings `queryWithSettings` cannot put into SQL safely: a name other than
 * lower-case letters and underscores, or a value that is not a boolean or a finite number.
 */
export function assertQuerySettings(
  engine: string,
  settings: Readonly<Record<string, number | boolean>>,
): void {
  for (const [name, value] of Object.entries(settings)) {
    if (!/^[a-z_]+$/.test(name) || !(typeof value === "boolean" || Number.isFinite(value)))
      throw new EngineError("ENGINE_QUERY_FAILED", `${engine}: invalid setting ${name} = ${value}`);
  }
}
