import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerSecretValue } from "../../config/secret.js";
import type { SqlDatabase } from "../../metadata/sql-database.js";
import { SqliteMetadataStore } from "../../metadata/sqlite-metadata-store.js";
import { auditActor } from "./audit-actor.js";
import { AuditChainCheck } from "./audit-chain.js";
import { entryHash, GENESIS_HASH } from "./audit-entry.js";
import { AuditLog } from "./audit-log.js";
import { canonicalJson } from "./canonical-json.js";

const dir = mkdtempSync(join(tmpdir(), "weir-audit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: SqliteMetadataStore;
let db: SqlDatabase;
let audit: AuditLog;
let n = 0;

beforeEach(async () => {
  store = await SqliteMetadataStore.open({ path: join(dir, `audit-${++n}.db`) });
  db = store.database;
  audit = new AuditLog(db, { actor: "tester" });
});
afterEach(() => store.close());

async function appendFive(): Promise<void> {
  for (let i = 1; i <= 5; i++) {
    await audit.append({ action: "run.manual", dataset: "customers", rows: i * 10, reason: `run ${i}` });
  }
}

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ x: 1n })).toBe('{"x":"1"}');
  });
});

describe("AuditLog", () => {
  it("chains entries from the genesis hash and verifies them", async () => {
    const first = await audit.append({
      action: "detokenize",
      rows: 3,
      reason: "ticket 1",
      details: { b: 2, a: 1 },
    });
    expect(first).toMatchObject({ seq: 1, actor: "tester", prevHash: GENESIS_HASH, rows: 3 });
    const second = await audit.append({ actor: "alice", action: "policy.change", dataset: "customers" });
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
    // The hash is recomputable from the stored fields alone.
    expect(first.hash).toBe(
      entryHash(GENESIS_HASH, {
        seq: 1,
        at: first.at,
        actor: "tester",
        action: "detokenize",
        dataset: null,
        rows: 3,
        reason: "ticket 1",
        details: '{"a":1,"b":2}',
      }),
    );
    expect(await audit.verify()).toEqual({ ok: true, entries: 2, head: { seq: 2, hash: second.hash } });
    expect(await audit.head()).toEqual({ seq: 2, hash: second.hash });
  });

  it("lists newest first, by action, with a limit", async () => {
    await appendFive();
    await audit.append({ action: "detokenize", rows: 1, reason: "x" });
    const all = await audit.list();
    expect(all.map((e) => e.seq)).toEqual([6, 5, 4, 3, 2, 1]);
    expect((await audit.list({ action: "run.manual", limit: 2 })).map((e) => e.seq)).toEqual([5, 4]);
    expect(all[1]).toMatchObject({ action: "run.manual", dataset: "customers", rows: 50, reason: "run 5" });
    await expect(audit.list({ limit: 0 })).rejects.toThrow(/at least 1/);
  });

  it("names the seq of a row edited in SQL", async () => {
    await appendFive();
    await db.run("UPDATE audit_log SET rows_affected = 999 WHERE seq = 3");
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: false, entries: 5, firstBadSeq: 3 });
    expect(result.reason).toMatch(/seq 3's hash does not match its contents/);
  });

  it("finds a deleted middle row as a gap, and a deleted first row", async () => {
    await appendFive();
    await db.run("DELETE FROM audit_log WHERE seq = 3");
    expect(await audit.verify()).toMatchObject({ ok: false, entries: 4, firstBadSeq: 3 });
    expect((await audit.verify()).reason).toMatch(/seq 3 is missing/);
    await db.run("DELETE FROM audit_log WHERE seq IN (1, 2)");
    expect(await audit.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 1,
      reason: expect.stringMatching(/seqs 1–3 are missing/),
    });
  });

  it("finds an edited row whose own hash was recomputed: the next one no longer links", async () => {
    await appendFive();
    const row = (await db.get<Record<string, unknown>>("SELECT * FROM audit_log WHERE seq = 2"))!;
    const rehashed = entryHash(String(row.prev_hash), {
      seq: 2,
      at: String(row.at),
      actor: "mallory",
      action: String(row.action),
      dataset: row.dataset as string,
      rows: Number(row.rows_affected),
      reason: row.reason as string,
      details: null,
    });
    await db.run("UPDATE audit_log SET actor = 'mallory', hash = ? WHERE seq = 2", [rehashed]);
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: false, firstBadSeq: 3 });
    expect(result.reason).toMatch(/does not link to seq 2/);
  });

  it("rolls an entry back with the transaction it was appended in", async () => {
    await audit.append({ action: "grant" });
    await expect(
      db.transaction(async (tx) => {
        await audit.appendWithin(tx, { action: "erasure", rows: 1 });
        throw new Error("the erasure failed");
      }),
    ).rejects.toThrow(/erasure failed/);
    const next = await audit.append({ action: "revoke" });
    expect(next.seq).toBe(2);
    expect((await audit.verify()).ok).toBe(true);
  });

  it("serialises concurrent appends on one store into a contiguous chain", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.append({ action: "run.manual", rows: i })));
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: true, entries: 40, head: { seq: 40 } });
  });

  it("scrubs registered secrets before hashing, so the stored text is what was hashed", async () => {
    registerSecretValue("AUDIT_TEST_SECRET", "s3cret-value-for-audit");
    const entry = await audit.append({ action: "run.manual", reason: "token s3cret-value-for-audit leaked" });
    expect(entry.reason).toBe("token [redacted AUDIT_TEST_SECRET] leaked");
    expect((await audit.list())[0]!.reason).toBe("token [redacted AUDIT_TEST_SECRET] leaked");
    expect((await audit.verify()).ok).toBe(true);
  });

  it("refuses malformed entries", async () => {
    await expect(audit.append({ action: "Not An Action" })).rejects.toThrow(/dotted lower-case/);
    await expect(audit.append({ action: "erasure", rows: -1 })).rejects.toThrow(/rows must be/);
    expect(await audit.head()).toBeUndefined();
  });
});

describe("AuditChainCheck", () => {
  it("accepts an empty log", () => {
    expect(new AuditChainCheck().result()).toEqual({ ok: true, entries: 0 });
  });
});

describe("auditActor", () => {
  it("is WEIR_USER when set, else the OS user", () => {
    expect(auditActor({ WEIR_USER: " svc-loader " })).toBe("svc-loader");
    expect(auditActor({})).toMatch(/\S/);
  });
});
