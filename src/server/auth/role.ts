import { ConfigError } from "../../core/errors.js";

/** What an API token may do: viewer reads, operator also acts on runs/pipelines/streams, admin also manages tokens, grants and policies. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** True when `held` is `needed` or above it (viewer < operator < admin). */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** The role, or a ConfigError listing the known ones. */
export function parseRole(text: string): Role {
  if (!(ROLES as readonly string[]).includes(text)) {
    throw new ConfigError(`unknown role "${text}": expected one of ${ROLES.join(", ")}`, {
      details: { role: text },
    });
  }
  return text as Role;
}
