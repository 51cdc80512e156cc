import type { Context } from "hono";
import { auditAction } from "./auth/audit-action.js";
import type { AuthEnv } from "./auth/auth-env.js";
import type { ServerContext } from "./server-context.js";

/** Writes an action of this request's principal to the audit log (every API action is audited). */
export async function auditRequest(
  ctx: ServerContext,
  c: Context<AuthEnv>,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  await auditAction(ctx.store, c.get("principal"), action, details);
}
