import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import { FakeClock } from "../../core/clock.js";
import { AuditLog } from "../../governance/audit/audit-log.js";
import { GovernanceGrants } from "../../governance/vault/governance-grants.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { PostgresMetadataStore } from "../../metadata/postgres-metadata-store.js";
import type { SqlDatabase } from "../../metadata/sql-database.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import { SqliteMetadataStore } from "../../metadata/sqlite-metadata-store.js";
import { assertSafeBind } from "./assert-safe-bind.js";
import { hashTokenSecret } from "./token-secret.js";
import { SqlTokenStore } from "./token-store.js";

const dir = mkdtempSync(join(tmpdir(), "weir-tokens-"));
const PG_SCHEMA = `weir_tokens_${process.pid}_${Date.now().toString(36)}`;
let n = 0;

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!postgresAvailable) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (let i = 1; i <= n; i++) await client.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}_${i}" CASCADE`);
  } finally {
    await client.end();
  }
});

/**
 * Opens a fresh, migrated store; `again` opens a second handle (another pool) on the same
 * one. SQLite has none: better-sqlite3 is synchronous, so a second connection in the same
 * process would block the event loop in its busy wait for a lock the first holds — two
 * processes are the SQLite case, and the CLI test covers them.
 */
type OpenFresh = () => Promise<{ store: MetadataStore; again?: () => Promise<MetadataStore> }>;

function tokenStoreSuite(kind: string, openFresh: OpenFresh): void {
  describe(`SqlTokenStore on ${kind}`, () => {
    let store: MetadataStore;
    let again: (() => Promise<MetadataStore>) | undefined;
    let db: SqlDatabase;
    const extra: MetadataStore[] = [];
    beforeEach(async () => {
      ({ store, again } = await openFresh());
      db = sqlDatabaseOf(store)!;
    });
    afterEach(async () => {
      await Promise.all(extra.splice(0).map((s) => s.close()));
      await store.close();
    });

    it("keeps only the SHA-256 of the secret, and verifies the secret", async () => {
      const tokens = new SqlTokenStore(store);
      const { secret, record } = await tokens.create("ci", "operator", [], "alice");
      expect(secret).toMatch(/^weir_[A-Za-z0-9_-]{43}$/);
      expect(record).toMatchObject({ name: "ci", role: "operator", grants: [], createdBy: "alice" });
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM api_tokens");
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(JSON.stringify(rows)).not.toContain(secret.slice(5));
      expect(rows[0]!.secret_hash).toBe(hashTokenSecret(secret));
      expect(await tokens.verify(secret)).toMatchObject({ id: record.id, role: "operator" });
      // A near miss, a wrong shape and the stored hash itself are all refused.
      const flipped = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
      expect(await tokens.verify(flipped)).toBeUndefined();
      expect(await tokens.verify("weir_short")).toBeUndefined();
      expect(await tokens.verify(String(rows[0]!.secret_hash))).toBeUndefined();
    });

    it("revokes by id or name: a revoked token no longer verifies; the name is free again", async () => {
      const tokens = new SqlTokenStore(store);
      const a = await tokens.create("grafana", "viewer", [], "alice");
      const b = await tokens.create("ci", "operator", [], "alice");
      expect(await tokens.countActive()).toBe(2);
      expect((await tokens.revoke(a.record.id, "bob"))?.revokedAt).toBeDefined();
      expect(await tokens.revoke(a.record.id, "bob")).toBeUndefined();
      expect((await tokens.revoke("ci", "bob"))?.id).toBe(b.record.id);
      expect(await tokens.verify(a.secret)).toBeUndefined();
      expect(await tokens.verify(b.secret)).toBeUndefined();
      expect(await tokens.countActive()).toBe(0);
      await expect(tokens.create("grafana", "viewer", [], "alice")).resolves.toBeDefined();
      await expect(tokens.create("grafana", "admin", [], "alice")).rejects.toThrow(
        /live API token named "grafana"/,
      );
      const listed = await tokens.list();
      expect(listed.map((t) => [t.name, t.revokedAt === undefined ? "live" : "revoked"])).toEqual([
        ["grafana", "revoked"],
        ["ci", "revoked"],
        ["grafana", "live"],
      ]);
    });

    it("audits create and revoke, and mirrors a detokenize grant to token:<name>", async () => {
      const tokens = new SqlTokenStore(store);
      const grants = new GovernanceGrants(db, new AuditLog(db));
      const { record } = await tokens.create("analyst", "viewer", ["detokenize"], "alice");
      expect(record.grants).toEqual(["detokenize"]);
      expect(await grants.has("token:analyst", "detokenize")).toBe(true);
      await tokens.revoke("analyst", "bob");
      expect(await grants.has("token:analyst", "detokenize")).toBe(false);
      const log = await new AuditLog(db).list();
      expect(log.map((e) => [e.action, e.actor])).toEqual([
        ["token.revoke", "bob"],
        ["revoke", "bob"],
        ["token.create", "alice"],
        ["grant", "alice"],
      ]);
      expect(log[2]!.details).toMatchObject({ id: record.id, name: "analyst", role: "viewer" });
      expect((await new AuditLog(db).verify()).ok).toBe(true);
    });

    it("refuses bad names, roles and grants", async () => {
      const tokens = new SqlTokenStore(store);
      await expect(tokens.create("", "viewer", [], "a")).rejects.toThrow(/token name/);
      await expect(tokens.create("has space", "viewer", [], "a")).rejects.toThrow(/token name/);
      await expect(tokens.create("x", "root" as "admin", [], "a")).rejects.toThrow(/unknown role "root"/);
      await expect(tokens.create("x", "viewer", ["sudo"], "a")).rejects.toThrow(/unknown permission "sudo"/);
      expect(await tokens.countActive()).toBe(0);
    });

    it("writes last_used_at at most once a minute", async () => {
      const clock = new FakeClock("2024-05-01T10:00:00Z");
      const tokens = new SqlTokenStore(store, { clock });
      const { secret } = await tokens.create("ci", "viewer", [], "a");
      expect((await tokens.list())[0]!.lastUsedAt).toBeUndefined();
      expect((await tokens.verify(secret))?.lastUsedAt).toBe("2024-05-01T10:00:00.000Z");
      await clock.advance(30_000);
      await tokens.verify(secret);
      expect((await tokens.list())[0]!.lastUsedAt).toBe("2024-05-01T10:00:00.000Z");
      await clock.advance(31_000);
      await tokens.verify(secret);
      expect((await tokens.list())[0]!.lastUsedAt).toBe("2024-05-01T10:01:01.000Z");
    });

    it("assertSafeBind refuses a public address until a token exists", async () => {
      const tokens = new SqlTokenStore(store);
      for (const host of ["127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost"]) {
        await expect(assertSafeBind(host, tokens)).resolves.toBeUndefined();
      }
      for (const host of ["0.0.0.0", "::", "192.168.1.4", "example.com", "128.0.0.1"]) {
        await expect(assertSafeBind(host, tokens)).rejects.toMatchObject({ code: "SERVER_UNSAFE_BIND" });
      }
      const { record } = await tokens.create("ops", "admin", [], "a");
      await expect(assertSafeBind("0.0.0.0", tokens)).resolves.toBeUndefined();
      await tokens.revoke(record.id, "a");
      await expect(assertSafeBind("0.0.0.0", tokens)).rejects.toMatchObject({ code: "SERVER_UNSAFE_BIND" });
    });

    it("20 concurrent creations and verifications, five rounds: distinct ids, all verify", async () => {
      const other = again === undefined ? store : await again();
      if (other !== store) extra.push(other);
      const stores = [new SqlTokenStore(store), new SqlTokenStore(other)];
      const started = Date.now();
      const ids = new Set<string>();
      for (let round = 0; round < 5; round++) {
        const created = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            stores[i % 2]!.create(`t-${round}-${i}`, "viewer", [], "load"),
          ),
        );
        const verified = await Promise.all(created.map((c, i) => stores[(i + 1) % 2]!.verify(c.secret)));
        expect(verified.map((v) => v?.id)).toEqual(created.map((c) => c.record.id));
        for (const c of created) ids.add(c.record.id);
      }
      expect(ids.size).toBe(100);
      expect(await stores[0]!.countActive()).toBe(100);
      // The same name from both connections at once: exactly one wins.
      const race = await Promise.allSettled(stores.map((s) => s.create("same", "viewer", [], "load")));
      expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(String((race.find((r) => r.status === "rejected") as PromiseRejectedResult).reason)).toMatch(
        /live API token named "same"/,
      );
      expect((await new AuditLog(db).verify()).ok).toBe(true);
      expect(Date.now() - started).toBeLessThan(20_000);
    });
  });
}

tokenStoreSuite("SQLite", async () => {
  const path = join(dir, `tokens-${++n}.db`);
  return { store: await SqliteMetadataStore.open({ path }) };
});

describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  tokenStoreSuite("PostgreSQL", async () => {
    const schema = `${PG_SCHEMA}_${++n}`;
    const open = () => PostgresMetadataStore.open({ url: POSTGRES_URL, schema });
    return { store: await open(), again: open };
  });
});
