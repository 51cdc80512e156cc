import { ConfigError } from "../../core/errors.js";
import type { ErasureSubject } from "./erasure-types.js";

/**
 * `<column>=<value>` (the first `=` splits, so the value may hold more) → the subject.
 * Errors name the column but never repeat the value: it is personal data.
 *
 * @example
 * parseErasureSubject("email=ann@example.com") // { column: "email", value: "ann@example.com" }
 */
export function parseErasureSubject(text: string): ErasureSubject {
  const eq = text.indexOf("=");
  const column = eq < 0 ? "" : text.slice(0, eq).trim();
  const value = eq < 0 ? "" : text.slice(eq + 1);
  if (column === "" || value === "") {
    throw new ConfigError(
      "invalid --subject: expected <column>=<value>, e.g. --subject email=ann@example.com",
      { details: column === "" ? {} : { column } },
    );
  }
  return { column, value };
}
