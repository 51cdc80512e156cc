import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Secret } from "../../config/secret.js";
import { ConfigError } from "../../core/errors.js";
import type { SqlDatabase } from "../../metadata/sql-database.js";
import { SqliteMetadataStore } from "../../metadata/sqlite-metadata-store.js";
import { AuditLog } from "../audit/audit-log.js";
import { GovernanceError } from "../audit/governance-error.js";
import { tokenOf } from "../policies/pii-digest.js";
import { TokenVault } from "./token-vault.js";

const KEY = new Secret("WEIR_TOKEN_KEY", "vault-test-key-0123456789abcdef");
const dir = mkdtempSync(join(tmpdir(), "weir-vault-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: SqliteMetadataStore;
let db: SqlDatabase;
let vault: TokenVault;
let audit: AuditLog;
let n = 0;

beforeEach(async () => {
  store = await SqliteMetadataStore.open({ path: join(dir, `vault-${++n}.db`) });
  db = store.database;
  audit = new AuditLog(db);
  vault = new TokenVault(db, { key: KEY, audit });
});
afterEach(() => store.close());

const VALUES = ["4111 1111 1111 5678", "Zoë Ångström ✓", "ann@example.com"];
const pairs = () => VALUES.map((value) => ({ token: tokenOf(value, KEY), value, piiClass: "card" }));

describe("TokenVault", () => {
  it("records encrypted values once and gives them back to a granted principal", async () => {
    expect(await vault.record(pairs())).toBe(3);
    expect(await vault.record([...pairs(), ...pairs()])).toBe(0);
    const rows = await db.all<{ token: string; pii_class: string; value_cipher: string }>(
      "SELECT token, pii_class, value_cipher FROM token_vault ORDER BY token",
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.pii_class).toBe("card");
      expect(VALUES.some((v) => row.value_cipher.includes(v))).toBe(false);
      // iv (12) | tag (16) | at least one byte of cipher text.
      expect(Buffer.from(row.value_cipher, "base64").length).toBeGreaterThan(28);
    }
    expect(await vault.grant("alice", "detokenize", "admin")).toBe(true);
    expect(await vault.grant("alice", "detokenize", "admin")).toBe(false);
    const tokens = pairs().map((p) => p.token);
    expect(
      await vault.detokenize([...tokens, "tok_unknown"], { principal: "alice", reason: "ticket 4711" }),
    ).toEqual([...VALUES, null]);
  });

  it("refuses without a grant, and audits refused and granted requests alike", async () => {
    await vault.record(pairs());
    const token = pairs()[0]!.token;
    const refused = vault.detokenize([token], { principal: "bob", reason: "curious" });
    await expect(refused).rejects.toBeInstanceOf(GovernanceError);
    await expect(vault.detokenize([token], { principal: "bob", reason: "curious" })).rejects.toMatchObject({
      code: "DETOKENIZE_NOT_GRANTED",
    });
    await vault.grant("bob", "detokenize", "admin");
    expect(await vault.detokenize([token], { principal: "bob", reason: "ticket 9" })).toEqual([VALUES[0]]);
    await vault.revoke("bob", "detokenize", "admin");
    await expect(vault.detokenize([token], { principal: "bob", reason: "again" })).rejects.toMatchObject({
      code: "DETOKENIZE_NOT_GRANTED",
    });
    const entries = (await audit.list()).reverse();
    expect(entries.map((e) => [e.action, e.actor, e.rows, e.reason, e.details?.granted])).toEqual([
      ["detokenize", "bob", 1, "curious", false],
      ["detokenize", "bob", 1, "curious", false],
      ["grant", "admin", null, null, undefined],
      ["detokenize", "bob", 1, "ticket 9", true],
      ["revoke", "admin", null, null, undefined],
      ["detokenize", "bob", 1, "again", false],
    ]);
    expect(entries[2]!.details).toEqual({ principal: "bob", permission: "detokenize" });
    expect(entries[3]!.details).toEqual({ granted: true, tokens: 1, found: 1, erased: 0 });
    expect((await audit.verify()).ok).toBe(true);
  });

  it("audits and refuses even a request for no tokens", async () => {
    await expect(vault.detokenize([], { principal: "eve", reason: "probing" })).rejects.toMatchObject({
      code: "DETOKENIZE_NOT_GRANTED",
    });
    expect(await audit.list()).toMatchObject([
      { actor: "eve", action: "detokenize", rows: 0, reason: "probing" },
    ]);
  });

  it("needs a reason and a principal", async () => {
    await expect(vault.detokenize(["tok_x"], { principal: "alice", reason: " " })).rejects.toThrow(
      /needs a reason/,
    );
    await expect(vault.detokenize(["tok_x"], { principal: "", reason: "r" })).rejects.toThrow(
      /needs a principal/,
    );
    expect(await audit.head()).toBeUndefined();
  });

  it("returns null for tombstoned tokens and keeps the tombstone when the value is recorded again", async () => {
    await vault.record(pairs());
    await vault.grant("alice", "detokenize", "admin");
    const [erased, kept] = pairs();
    expect(
      await vault.tombstone([erased!.token], { reason: "erasure request 12", dataset: "customers" }),
    ).toBe(1);
    expect(await vault.tombstone([erased!.token])).toBe(0);
    const row = await db.get<{ value_cipher: string | null; tombstoned_at: string | null }>(
      "SELECT value_cipher, tombstoned_at FROM token_vault WHERE token = ?",
      [erased!.token],
    );
    expect(row?.value_cipher).toBeNull();
    expect(row?.tombstoned_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await vault.record([erased!])).toBe(0);
    expect(await vault.detokenize([erased!.token, kept!.token], { principal: "alice", reason: "r" })).toEqual(
      [null, kept!.value],
    );
    const entries = await audit.list({ action: "token.tombstone" });
    expect(entries).toMatchObject([{ rows: 1, dataset: "customers", reason: "erasure request 12" }]);
    expect((await audit.list({ action: "detokenize" }))[0]!.details).toMatchObject({ found: 1, erased: 1 });
  });

  it("does not decrypt with another key, nor a cipher text moved to another token", async () => {
    await vault.record(pairs());
    await vault.grant("alice", "detokenize", "admin");
    const other = new TokenVault(db, { key: new Secret("WEIR_TOKEN_KEY", "another-key-0123456789abcdef") });
    const [a, b] = pairs();
    await expect(other.detokenize([a!.token], { principal: "alice", reason: "r" })).rejects.toThrow(
      /cannot be decrypted/,
    );
    await db.run(
      "UPDATE token_vault SET value_cipher = (SELECT value_cipher FROM token_vault WHERE token = ?) WHERE token = ?",
      [a!.token, b!.token],
    );
    await expect(vault.detokenize([b!.token], { principal: "alice", reason: "r" })).rejects.toThrow(
      /cannot be decrypted/,
    );
  });

  it("names WEIR_TOKEN_KEY when it is missing or too short", async () => {
    const keyless = new TokenVault(db, { env: {} });
    const error = await keyless.record(pairs()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/WEIR_TOKEN_KEY is not set/);
    const short = new TokenVault(db, { env: { WEIR_TOKEN_KEY: "short" } });
    await expect(short.record(pairs())).rejects.toThrow(/WEIR_TOKEN_KEY is too short/);
  });

  it("refuses an unknown permission", async () => {
    await expect(vault.grant("alice", "delete" as "detokenize", "admin")).rejects.toThrow(
      /unknown permission "delete"/,
    );
  });
});
