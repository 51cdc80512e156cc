import type { Principal } from "./principal.js";

/** The Hono env of every authenticated route: `c.get("principal")` is who asks. */
export type AuthEnv = { Variables: { principal: Principal } };
