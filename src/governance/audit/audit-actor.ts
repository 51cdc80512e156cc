import { userInfo } from "node:os";

/**
 * Who the audit log says did something: `WEIR_USER` when set (a service account, CI, a
 * user acting through a shared login), else the operating-system user running weir.
 *
 * @example
 * await audit.append({ actor: auditActor(), action: "run.manual", dataset: "customers" });
 */
export function auditActor(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.WEIR_USER?.trim();
  if (named) return named;
  try {
    return userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers): still someone, just not by name.
    return `uid:${process.getuid?.() ?? "unknown"}`;
  }
}
