import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { AuditLog } from "../../src/governance/audit/audit-log.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import type { AuthEnv } from "../../src/server/auth/auth-env.js";
import { authMiddleware } from "../../src/server/auth/auth-middleware.js";
import { requireRole } from "../../src/server/auth/require-role.js";
import { SqlTokenStore } from "../../src/server/auth/token-store.js";
import { runWeir } from "../support/weir-process.js";

// `weir token create` prints the token alone on stdout; a server reading the same home
// accepts it; `weir token revoke` (another process) ends it.
const dir = mkdtempSync(join(tmpdir(), "weir-token-cli-"));
const home = join(dir, "home");
const weir = (...args: string[]) => runWeir(args, { WEIR_HOME: home, WEIR_USER: "cli-tester" });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withApp<T>(fn: (app: Hono<AuthEnv>, store: SqliteMetadataStore) => Promise<T>): Promise<T> {
  const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
  try {
    const tokens = new SqlTokenStore(store);
    const app = new Hono<AuthEnv>();
    app.use("/api/*", authMiddleware({ tokens, listenHost: "0.0.0.0" }));
    app.post("/api/act", requireRole("operator"), (c) => c.json({ principal: c.get("principal") }));
    return await fn(app, store);
  } finally {
    await store.close();
  }
}

describe("weir token", () => {
  it("creates a token that authenticates, lists it without its secret, and revokes it", async () => {
    const created = await weir(
      "token",
      "create",
      "--name",
      "ci",
      "--role",
      "operator",
      "--grant",
      "detokenize",
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^weir_[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toMatch(
      /created API token ci \(operator, detokenize, id .+\).*not be shown again/,
    );
    const secret = created.stdout.trim();

    await withApp(async (app, store) => {
      const res = await app.request("http://localhost/api/act", {
        method: "POST",
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        principal: { name: "ci", role: "operator", grants: ["detokenize"] },
      });
      const [entry] = await new AuditLog(store.database).list({ action: "token.create" });
      expect(entry).toMatchObject({ actor: "cli-tester", details: { name: "ci", role: "operator" } });
    });

    const duplicate = await weir("token", "create", "--name", "ci", "--role", "viewer");
    expect(duplicate.code).toBe(2);
    expect(duplicate.stdout).toBe("");
    expect(duplicate.stderr).toMatch(/live API token named "ci" exists/);

    const listed = await weir("token", "list", "--json");
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(secret.slice(5));
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { name: "ci", role: "operator", createdBy: "cli-tester" },
    ]);

    const revoked = await weir("token", "revoke", "ci");
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/revoked API token ci/);
    await withApp(async (app) => {
      const res = await app.request("http://localhost/api/act", {
        method: "POST",
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(res.status).toBe(401);
    });
  });
});
