import { randomBytes } from "node:crypto";

/** A sortable, unique id: time prefix (ms, base36) + random suffix. Used for runs and commits. */
export function newId(prefix = ""): string {
  const time = Date.now().toString(36).padStart(9, "0");
  return `${prefix}${time}${randomBytes(5).toString("hex")}`;
}
