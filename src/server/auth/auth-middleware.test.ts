import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditActor } from "../../governance/audit/audit-actor.js";
import { AuditLog } from "../../governance/audit/audit-log.js";
import { TokenVault } from "../../governance/vault/token-vault.js";
import type { SqlDatabase } from "../../metadata/sql-database.js";
import { SqliteMetadataStore } from "../../metadata/sqlite-metadata-store.js";
import { auditAction } from "./audit-action.js";
import type { AuthEnv } from "./auth-env.js";
import { authMiddleware } from "./auth-middleware.js";
import { detokenizeRoutes } from "./detokenize-routes.js";
import { requireGrant, requireRole } from "./require-role.js";
import type { Role } from "./role.js";
import { sessionRoutes } from "./session-routes.js";
import { tokenRoutes } from "./token-routes.js";
import { SqlTokenStore } from "./token-store.js";

const dir = mkdtempSync(join(tmpdir(), "weir-auth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { WEIR_TOKEN_KEY: "test-token-key-0123456789abcdef" };
const BASE = "http://localhost:8080";

let store: SqliteMetadataStore;
let db: SqlDatabase;
let tokens: SqlTokenStore;
let n = 0;
beforeEach(async () => {
  store = await SqliteMetadataStore.open({ path: join(dir, `auth-${++n}.db`) });
  db = store.database;
  tokens = new SqlTokenStore(store);
});
afterEach(() => store.close());

/** A tiny app wired as the server wires it: session first, then the middleware, then routes. */
function appOn(listenHost: string): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.route("/api/session", sessionRoutes({ tokens, listenHost }));
  app.use("/api/*", authMiddleware({ tokens, listenHost }));
  app.get("/api/runs", requireRole("viewer"), (c) => c.json({ principal: c.get("principal") }));
  app.post("/api/runs/r1/retry", requireRole("operator"), async (c) => {
    await auditAction(store, c.get("principal"), "run.retry", { pipeline: "customers", runId: "r1" });
    return c.json({ ok: true }, 202);
  });
  app.get("/api/peek", requireGrant("detokenize"), (c) => c.json({ ok: true }));
  app.route("/api/tokens", tokenRoutes({ tokens, store }));
  app.route("/api/detokenize", detokenizeRoutes({ store, env }));
  return app;
}

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

async function tokenWith(role: Role, grants: string[] = []): Promise<string> {
  return (await tokens.create(`${role}-${grants.join("-") || "plain"}`, role, grants, "test")).secret;
}

/** Signs in through POST /api/session; returns the Cookie header and the CSRF token. */
async function signIn(app: Hono<AuthEnv>, secret: string): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request(`${BASE}/api/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: secret }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { cookie, csrf: body.csrfToken };
}

describe("local mode", () => {
  it("makes every request the local admin on loopback while no token exists", async () => {
    const app = appOn("127.0.0.1");
    const res = await app.request(`${BASE}/api/runs`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      principal: { tokenId: null, name: "local", role: "admin", grants: ["detokenize"], local: true },
    });
    expect((await app.request(`${BASE}/api/runs/r1/retry`, { method: "POST" })).status).toBe(202);
    expect((await app.request(`${BASE}/api/session`)).status).toBe(200);
    expect(
      ((await (await app.request(`${BASE}/api/session`)).json()) as { principal: { local: boolean } })
        .principal.local,
    ).toBe(true);
    const [entry] = await new AuditLog(db).list();
    expect(entry).toMatchObject({ actor: "local", action: "run.retry", dataset: "customers" });
    expect(entry!.details).toMatchObject({ runId: "r1", via: "api" });
  });

  it("is never on a non-loopback address", async () => {
    for (const host of ["0.0.0.0", "192.168.1.20", "::"]) {
      const res = await appOn(host).request(`${BASE}/api/runs`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("SERVER_UNAUTHORIZED");
    }
  });

  it("ends as soon as a token exists, and comes back when every token is revoked", async () => {
    const app = appOn("::1");
    expect((await app.request(`${BASE}/api/runs`)).status).toBe(200);
    const { record } = await tokens.create("ops", "admin", [], "test");
    expect((await app.request(`${BASE}/api/runs`)).status).toBe(401);
    expect((await app.request(`${BASE}/api/session`)).status).toBe(401);
    await tokens.revoke(record.id, "test");
    expect((await app.request(`${BASE}/api/runs`)).status).toBe(200);
  });

  it("still refuses a credential that does not verify", async () => {
    const app = appOn("127.0.0.1");
    expect(
      (await app.request(`${BASE}/api/runs`, { headers: bearer(`weir_${"A".repeat(43)}`) })).status,
    ).toBe(401);
    expect((await app.request(`${BASE}/api/runs`, { headers: { Authorization: "Basic abc" } })).status).toBe(
      401,
    );
  });
});

describe("roles", () => {
  it("viewer reads but may not act; operator acts but may not manage tokens; admin may", async () => {
    const app = appOn("0.0.0.0");
    const viewer = await tokenWith("viewer");
    const operator = await tokenWith("operator");
    const admin = await tokenWith("admin");
    const status = async (path: string, secret: string, method = "GET") =>
      (await app.request(`${BASE}${path}`, { method, headers: bearer(secret) })).status;
    expect(await status("/api/runs", viewer)).toBe(200);
    expect(await status("/api/runs/r1/retry", viewer, "POST")).toBe(403);
    expect(await status("/api/tokens", viewer)).toBe(403);
    expect(await status("/api/runs/r1/retry", operator, "POST")).toBe(202);
    expect(await status("/api/tokens", operator)).toBe(403);
    expect(await status("/api/runs/r1/retry", admin, "POST")).toBe(202);
    expect(await status("/api/tokens", admin)).toBe(200);
    // A grant is not a role: an admin without detokenize is refused.
    expect(await status("/api/peek", admin)).toBe(403);
    expect(await status("/api/peek", await tokenWith("viewer", ["detokenize"]))).toBe(200);
    const refused = await app.request(`${BASE}/api/runs/r1/retry`, {
      method: "POST",
      headers: bearer(viewer),
    });
    expect(await refused.json()).toMatchObject({
      error: { code: "SERVER_FORBIDDEN", details: { needed: "operator" } },
    });
    const audited = await new AuditLog(db).list({ action: "run.retry" });
    expect(audited.map((e) => e.actor).sort()).toEqual(["token:admin-plain", "token:operator-plain"]);
  });

  it("manages tokens through the API: create (shown once), list without secrets, revoke", async () => {
    const app = appOn("0.0.0.0");
    const admin = await tokenWith("admin");
    const created = await app.request(`${BASE}/api/tokens`, {
      method: "POST",
      headers: { ...bearer(admin), "Content-Type": "application/json" },
      body: JSON.stringify({ name: "grafana", role: "viewer" }),
    });
    expect(created.status).toBe(201);
    const { token, record } = (await created.json()) as {
      token: string;
      record: { id: string; createdBy: string };
    };
    expect(record.createdBy).toBe("token:admin-plain");
    expect((await app.request(`${BASE}/api/runs`, { headers: bearer(token) })).status).toBe(200);
    const listed = await app.request(`${BASE}/api/tokens`, { headers: bearer(admin) });
    const text = await listed.text();
    expect(text).toContain("grafana");
    expect(text).not.toContain(token);
    const bad = await app.request(`${BASE}/api/tokens`, {
      method: "POST",
      headers: { ...bearer(admin), "Content-Type": "application/json" },
      body: JSON.stringify({ name: "x", role: "root" }),
    });
    expect(bad.status).toBe(400);
    const revoked = await app.request(`${BASE}/api/tokens/${record.id}`, {
      method: "DELETE",
      headers: bearer(admin),
    });
    expect(await revoked.json()).toEqual({ revoked: true });
    expect((await app.request(`${BASE}/api/runs`, { headers: bearer(token) })).status).toBe(401);
    expect(
      (await app.request(`${BASE}/api/tokens/${record.id}`, { method: "DELETE", headers: bearer(admin) }))
        .status,
    ).toBe(404);
    const actions = (await new AuditLog(db).list()).map((e) => [e.action, e.actor]);
    expect(actions).toContainEqual(["token.create", "token:admin-plain"]);
    expect(actions).toContainEqual(["token.revoke", "token:admin-plain"]);
  });
});

describe("sessions and CSRF", () => {
  it("sets an HttpOnly, SameSite=Strict session cookie and a readable CSRF cookie", async () => {
    const app = appOn("0.0.0.0");
    const secret = await tokenWith("operator");
    const res = await app.request(`${BASE}/api/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: secret }),
    });
    const body = (await res.json()) as { principal: { name: string; role: string }; csrfToken: string };
    expect(body.principal).toMatchObject({ name: "operator-plain", role: "operator", local: false });
    const [session, csrf] = res.headers.getSetCookie();
    expect(session).toMatch(new RegExp(`^weir_session=${secret};`));
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/; Secure/);
    expect(csrf).toMatch(new RegExp(`^weir_csrf=${body.csrfToken};`));
    expect(csrf).toMatch(/; SameSite=Strict/);
    expect(csrf).not.toMatch(/HttpOnly/);
    const https = await app.request("https://weir.example/api/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: secret }),
    });
    expect(https.headers.getSetCookie().every((c) => /; Secure/.test(c))).toBe(true);
    const wrong = await app.request(`${BASE}/api/session`, {
      method: "POST",
      body: JSON.stringify({ token: "nope" }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it("reads the session back, and signs out", async () => {
    const app = appOn("0.0.0.0");
    const { cookie } = await signIn(app, await tokenWith("viewer"));
    const who = await app.request(`${BASE}/api/session`, { headers: { Cookie: cookie } });
    expect(await who.json()).toMatchObject({ principal: { name: "viewer-plain", role: "viewer" } });
    const out = await app.request(`${BASE}/api/session`, { method: "DELETE", headers: { Cookie: cookie } });
    const cleared = out.headers.getSetCookie();
    expect(cleared).toHaveLength(2);
    expect(cleared.every((c) => /Max-Age=0/.test(c))).toBe(true);
  });

  it("demands a matching X-CSRF-Token and a same-origin Origin for cookie writes", async () => {
    const app = appOn("0.0.0.0");
    const { cookie, csrf } = await signIn(app, await tokenWith("operator"));
    const retry = (headers: Record<string, string>) =>
      app.request(`${BASE}/api/runs/r1/retry`, { method: "POST", headers: { Cookie: cookie, ...headers } });
    const noHeader = await retry({});
    expect(noHeader.status).toBe(403);
    expect(await noHeader.json()).toMatchObject({ error: { code: "SERVER_CSRF" } });
    expect((await retry({ "X-CSRF-Token": `${csrf.slice(0, -1)}x` })).status).toBe(403);
    expect((await retry({ "X-CSRF-Token": "short" })).status).toBe(403);
    expect((await retry({ "X-CSRF-Token": csrf })).status).toBe(202);
    expect((await retry({ "X-CSRF-Token": csrf, Origin: "http://localhost:8080" })).status).toBe(202);
    expect((await retry({ "X-CSRF-Token": csrf, Origin: "https://evil.example" })).status).toBe(403);
    expect((await retry({ "X-CSRF-Token": csrf, Origin: "null" })).status).toBe(403);
    // Reads are not CSRF-checked.
    expect((await app.request(`${BASE}/api/runs`, { headers: { Cookie: cookie } })).status).toBe(200);
    // Nor is a bearer token, even with the session cookie also present.
    const secret = decodeURIComponent(/weir_session=([^;]+)/.exec(cookie)![1]!);
    const viaBearer = await app.request(`${BASE}/api/runs/r1/retry`, {
      method: "POST",
      headers: bearer(secret),
    });
    expect(viaBearer.status).toBe(202);
  });

  it("refuses a sign-in posted from another origin", async () => {
    const app = appOn("0.0.0.0");
    const res = await app.request(`${BASE}/api/session`, {
      method: "POST",
      headers: { Origin: "https://evil.example" },
      body: JSON.stringify({ token: await tokenWith("viewer") }),
    });
    expect(res.status).toBe(403);
  });
});

describe("POST /api/detokenize", () => {
  const detokenize = (app: Hono<AuthEnv>, headers: Record<string, string>, token: string) =>
    app.request(`${BASE}/api/detokenize`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ token, reason: "ticket 7" }),
    });

  beforeEach(async () => {
    await new TokenVault(db, { env }).record([
      { token: "tok_abc", value: "alice@example.com", piiClass: "email" },
    ]);
  });

  it("gives the value to a token holding the grant, refuses one without, and audits both", async () => {
    const app = appOn("0.0.0.0");
    const granted = await tokenWith("viewer", ["detokenize"]);
    const plain = await tokenWith("admin");
    const ok = await detokenize(app, bearer(granted), "tok_abc");
    expect(await ok.json()).toEqual({ value: "alice@example.com" });
    expect(await (await detokenize(app, bearer(granted), "tok_unknown")).json()).toEqual({ value: null });
    const refused = await detokenize(app, bearer(plain), "tok_abc");
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain("alice@example.com");
    const entries = await new AuditLog(db).list({ action: "detokenize" });
    expect(entries.map((e) => [e.actor, e.details?.granted, e.reason])).toEqual([
      ["token:admin-plain", false, "ticket 7"],
      ["token:viewer-detokenize", true, "ticket 7"],
      ["token:viewer-detokenize", true, "ticket 7"],
    ]);
  });

  it("follows the vault when the grant is revoked outside the API (weir revoke)", async () => {
    const app = appOn("0.0.0.0");
    const granted = await tokenWith("viewer", ["detokenize"]);
    await new TokenVault(db).revoke("token:viewer-detokenize", "detokenize", "security");
    const res = await detokenize(app, bearer(granted), "tok_abc");
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "DETOKENIZE_NOT_GRANTED" } });
    const [last] = await new AuditLog(db).list({ action: "detokenize" });
    expect(last).toMatchObject({ actor: "token:viewer-detokenize", details: { granted: false } });
  });

  it("in local mode asks as the user who started the server, who needs the grant as on the CLI", async () => {
    const app = appOn("127.0.0.1");
    expect((await detokenize(app, {}, "tok_abc")).status).toBe(403);
    await new TokenVault(db).grant(auditActor(), "detokenize", "security");
    expect(await (await detokenize(app, {}, "tok_abc")).json()).toEqual({ value: "alice@example.com" });
  });
});
