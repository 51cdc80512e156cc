import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/secret.js";
import { AuditLog } from "../../src/governance/audit/audit-log.js";
import { tokenOf } from "../../src/governance/policies/pii-digest.js";
import { TokenVault } from "../../src/governance/vault/token-vault.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import { runWeir } from "../support/weir-process.js";

/** `weir audit`, `weir grant|revoke` and `weir detokenize` as processes, on a home's SQLite store. */
const TOKEN_KEY = "cli-token-key-0123456789abcdef";
let dir: string;
let home: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-governance-cli-"));
  home = join(dir, "home");
  const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
  const audit = new AuditLog(store.database, { actor: "seed" });
  for (let i = 1; i <= 4; i++)
    await audit.append({ action: "run.manual", dataset: "customers", rows: i * 100 });
  const key = new Secret("WEIR_TOKEN_KEY", TOKEN_KEY);
  await new TokenVault(store.database, { key }).record([
    { token: tokenOf("Zoë Ångström", key), value: "Zoë Ångström" },
  ]);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (user: string) => ({
  WEIR_HOME: home,
  WEIR_USER: user,
  WEIR_TOKEN_KEY: TOKEN_KEY,
  WEIR_METADATA_URL: "",
});
const token = () => tokenOf("Zoë Ångström", new Secret("WEIR_TOKEN_KEY", TOKEN_KEY));

describe("weir grant, detokenize and audit", () => {
  it("refuses to detokenize without a grant, then prints the value once granted; all of it audited", async () => {
    const refused = await runWeir(["detokenize", token(), "--reason", "ticket 7"], env("carol"));
    expect(refused.code, refused.stderr).toBe(11);
    expect(refused.stderr).toMatch(/\[DETOKENIZE_NOT_GRANTED\]: carol may not detokenize/);
    expect(refused.stdout).not.toContain("Zoë");

    const granted = await runWeir(["grant", "detokenize", "--to", "carol"], env("admin"));
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toBe("granted detokenize to carol\n");

    const shown = await runWeir(["detokenize", token(), "tok_unknown", "--reason", "ticket 7"], env("carol"));
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(
      `${token()}\tZoë Ångström\ntok_unknown\t(no value: an unknown token, or erased)\n`,
    );

    const revoked = await runWeir(["revoke", "detokenize", "--from", "carol"], env("admin"));
    expect(revoked.code, revoked.stderr).toBe(0);

    const list = await runWeir(["audit", "list", "--json", "--limit", "4"], env("admin"));
    expect(list.code, list.stderr).toBe(0);
    const entries = JSON.parse(list.stdout) as {
      seq: number;
      actor: string;
      action: string;
      reason: string | null;
    }[];
    expect(entries.map((e) => [e.seq, e.actor, e.action, e.reason])).toEqual([
      [8, "admin", "revoke", null],
      [7, "carol", "detokenize", "ticket 7"],
      [6, "admin", "grant", null],
      [5, "carol", "detokenize", "ticket 7"],
    ]);
    const table = await runWeir(["audit", "list", "--action", "detokenize"], env("admin"));
    expect(table.stdout.split("\n")[0]).toMatch(/^seq\s+at\s+actor\s+action\s+dataset\s+rows\s+reason$/);
    expect(table.stdout.trim().split("\n")).toHaveLength(4);
  }, 240_000);

  it("verifies an intact log, and exits non-zero naming the first bad seq of a tampered one", async () => {
    const ok = await runWeir(["audit", "verify"], env("admin"));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^audit log verified: 8 entries; head seq 8, hash [0-9a-f]{64}\n$/);

    const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
    await store.database.run("UPDATE audit_log SET rows_affected = 1 WHERE seq = 3");
    await store.close();

    const broken = await runWeir(["audit", "verify"], env("admin"));
    expect(broken.code).toBe(11);
    expect(broken.stderr).toMatch(
      /error \[AUDIT_CHAIN_BROKEN\]: the audit log does not verify at seq 3: seq 3's hash does not match its contents/,
    );
    const json = await runWeir(["audit", "verify", "--json"], env("admin"));
    expect(json.code).toBe(11);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, entries: 8, firstBadSeq: 3 });
  }, 240_000);

  it("refuses an unknown permission and a missing home", async () => {
    const bad = await runWeir(["grant", "delete", "--to", "x"], env("admin"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown permission "delete": expected one of detokenize/);
    const none = await runWeir(["audit", "verify"], { ...env("admin"), WEIR_HOME: join(dir, "nowhere") });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no weir home at/);
  }, 240_000);
});
