import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EXPECTED,
  expectedRows,
  HASH_KEY,
  KIND_POLICIES,
  loadPeople,
  nodeHmac,
  nodeToken,
  OTHER_HASH_KEY,
  PEOPLE,
  SECRETS,
  TOKEN_KEY,
} from "../../../test/support/governance-people.js";
import { redactSecrets, Secret } from "../../config/secret.js";
import { ConfigError } from "../../core/errors.js";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { SqliteMetadataStore } from "../../metadata/sqlite-metadata-store.js";
import { AuditLog } from "../audit/audit-log.js";
import { TokenVault } from "../vault/token-vault.js";
import { defineDatasetPolicy } from "./define-dataset-policy.js";
import { piiDigest, tokenOf } from "./pii-digest.js";
import { policySelect } from "./policy-select.js";
import { recordPolicyState } from "./policy-state.js";
import { recordTokens } from "./record-tokens.js";

const PEOPLE_TABLE = { schema: "raw", name: "people" };
let engine: DuckDBEngine;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  await loadPeople(engine, PEOPLE_TABLE);
});
afterAll(() => engine.close());

async function apply(policy: Parameters<typeof policySelect>[2], secrets = SECRETS) {
  const sql = await policySelect(engine, PEOPLE_TABLE, policy, { secrets });
  return engine.query(`${sql} ORDER BY id`);
}

describe("policySelect on DuckDB", () => {
  it.each(Object.keys(KIND_POLICIES))(
    "applies %s to every row, other columns unchanged and in order",
    async (kind) => {
      const rows = await apply(KIND_POLICIES[kind]!);
      expect(rows).toEqual(expectedRows(kind));
      expect(Object.keys(rows[0]!)).toEqual(Object.keys(expectedRows(kind)[0]!));
    },
  );

  it("hashes as Node's createHmac does, ASCII and not, and equal emails join", async () => {
    const rows = await apply(KIND_POLICIES.hash!);
    expect(rows[0]!.email_hash).toBe(nodeHmac(HASH_KEY.reveal(), "ann@x.com"));
    expect(rows[2]!.email_hash).toBe(nodeHmac(HASH_KEY.reveal(), "zoë@exämple.org"));
    expect(rows[5]!.ssn_hash).toBe(nodeHmac(HASH_KEY.reveal(), "🙂 ünï"));
    expect(rows[6]!.email_hash).toBe(rows[0]!.email_hash);
    // weir's JS digest agrees, for lookups outside SQL.
    expect(piiDigest("Ann@X.com ", HASH_KEY, "lower-trim")).toBe(rows[0]!.email_hash);
    expect(tokenOf("4111 1111 1111 5678", TOKEN_KEY)).toBe(nodeToken("4111 1111 1111 5678"));
  });

  it("joins two tables hashed with one key, and not with another key", async () => {
    await engine.run(
      "CREATE TABLE raw.orders AS SELECT * FROM (VALUES (100, 'ann@x.com'), (101, 'zoë@exämple.org'), (102, 'nobody@x.com')) t(order_id, email)",
    );
    const policy = (dataset: string) =>
      defineDatasetPolicy({ dataset, columns: { email: { hash: {}, as: "email_hash" } } });
    const people = await policySelect(engine, PEOPLE_TABLE, policy("people"), { secrets: SECRETS });
    const orders = await policySelect(engine, { schema: "raw", name: "orders" }, policy("orders"), {
      secrets: SECRETS,
    });
    const joined = await engine.query(
      `SELECT o.order_id, p.id FROM (${orders}) o JOIN (${people}) p ON p.email_hash = o.email_hash ORDER BY 1, 2`,
    );
    expect(joined).toEqual([
      { order_id: 100, id: 1 },
      { order_id: 100, id: 7 },
      { order_id: 101, id: 3 },
    ]);
    const otherKey = await policySelect(engine, { schema: "raw", name: "orders" }, policy("orders"), {
      secrets: { hashKey: OTHER_HASH_KEY },
    });
    const [a, b] = await Promise.all([
      engine.query(`${orders} ORDER BY order_id`),
      engine.query(`${otherKey} ORDER BY order_id`),
    ]);
    expect(b[0]!.email_hash).toBe(nodeHmac(OTHER_HASH_KEY.reveal(), "ann@x.com"));
    for (let i = 0; i < a.length; i++) expect(b[i]!.email_hash).not.toBe(a[i]!.email_hash);
  });

  it("hashes a key longer than a block as HMAC does", async () => {
    const long = new Secret("WEIR_PII_HASH_KEY", "k".repeat(100));
    const rows = await apply(
      defineDatasetPolicy({ dataset: "p", columns: { ssn: { hash: { normalize: "none" } } } }),
      { hashKey: long, tokenKey: TOKEN_KEY },
    );
    expect(rows[0]!.ssn).toBe(nodeHmac(long.reveal(), "123-45-6789"));
  });

  it("keeps the raw column beside its outputs when allowRaw says so", async () => {
    const rows = await apply(
      defineDatasetPolicy({
        dataset: "people",
        columns: {
          email: [
            { hash: {}, as: "email_hash" },
            { mask: "email", as: "email_masked" },
          ],
          phone: { mask: "last4" },
        },
        allowRaw: ["email", "zip"],
      }),
    );
    expect(Object.keys(rows[0]!)).toEqual([
      "id",
      "email",
      "email_hash",
      "email_masked",
      "phone",
      "card",
      "ssn",
      "birth",
      "age",
      "zip",
    ]);
    expect(rows.map((r) => r.email)).toEqual(PEOPLE.map((p) => p.email));
    expect(rows.map((r) => r.phone)).toEqual(EXPECTED.phone_masked);
  });

  it("reads a query source, and keeps the pads out of anything scrubbed", async () => {
    const sql = await policySelect(
      engine,
      { sql: "SELECT id, email FROM raw.people WHERE id < 3" },
      defineDatasetPolicy({ dataset: "p", columns: { email: { hash: {}, as: "h" } } }),
      { secrets: SECRETS },
    );
    expect(await engine.query(`${sql} ORDER BY id`)).toEqual([
      { id: 1, h: EXPECTED.email_hash![0] },
      { id: 2, h: null },
    ]);
    expect(sql).not.toContain(HASH_KEY.reveal());
    expect(redactSecrets(sql)).toMatch(/\[redacted WEIR_PII_HASH_KEY \(HMAC pad\)\]/);
    expect(redactSecrets(sql)).not.toMatch(/unhex\('[0-9a-f]{128}'\)/);
  });

  it("names missing columns, colliding outputs and a missing key", async () => {
    const typo = defineDatasetPolicy({ dataset: "people", columns: { emial: { mask: "email" } } });
    await expect(policySelect(engine, PEOPLE_TABLE, typo)).rejects.toThrow(
      /policy "people": column "emial" is not in the source \(its columns: id, email, phone/,
    );
    const clash = defineDatasetPolicy({
      dataset: "people",
      columns: { email: { mask: "email", as: "zip" } },
    });
    await expect(policySelect(engine, PEOPLE_TABLE, clash)).rejects.toThrow(
      /writes "zip", which the source has already/,
    );
    const error = await policySelect(engine, PEOPLE_TABLE, KIND_POLICIES.hash!, {
      secrets: { env: {} },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      "environment variable WEIR_PII_HASH_KEY is not set: the hash policy of people.email needs a secret from it",
    );
    await expect(
      policySelect(engine, PEOPLE_TABLE, KIND_POLICIES.tokenize!, { secrets: { env: {} } }),
    ).rejects.toThrow(/WEIR_TOKEN_KEY is not set: the tokenize policy of people.card needs/);
    await expect(
      policySelect(engine, PEOPLE_TABLE, KIND_POLICIES.hash!, {
        secrets: { env: { WEIR_PII_HASH_KEY: "short" } },
      }),
    ).rejects.toThrow(/WEIR_PII_HASH_KEY is too short/);
    await expect(policySelect(engine, { name: "missing" }, KIND_POLICIES.mask!)).rejects.toThrow(
      /missing: the table does not exist/,
    );
  });

  it("needs no key for kinds that use none", async () => {
    await expect(
      policySelect(engine, PEOPLE_TABLE, KIND_POLICIES.mask!, { secrets: { env: {} } }),
    ).resolves.toMatch(/^SELECT /);
  });
});

describe("recordTokens and recordPolicyState", () => {
  const dir = mkdtempSync(join(tmpdir(), "weir-policy-"));
  let store: SqliteMetadataStore;
  beforeAll(async () => {
    store = await SqliteMetadataStore.open({ path: join(dir, "weir.db") });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores each distinct token once and gives the values back", async () => {
    const vault = new TokenVault(store.database, { key: TOKEN_KEY });
    const policy = KIND_POLICIES.tokenize!;
    expect(await recordTokens(engine, PEOPLE_TABLE, policy, vault, { secrets: SECRETS })).toEqual({
      tokens: 5,
      added: 5,
    });
    expect(await recordTokens(engine, PEOPLE_TABLE, policy, vault, { secrets: SECRETS })).toEqual({
      tokens: 5,
      added: 0,
    });
    await vault.grant("analyst", "detokenize", "admin");
    const landed = await apply(policy);
    const tokens = landed.map((r) => r.card_token as string | null).filter((t): t is string => t !== null);
    const values = await vault.detokenize(tokens, { principal: "analyst", reason: "test" });
    expect(values).toEqual(PEOPLE.map((p) => p.card).filter((c) => c !== null));
    const classes = await store.database.all<{ pii_class: string }>(
      "SELECT DISTINCT pii_class FROM token_vault",
    );
    expect(classes).toEqual([{ pii_class: "card" }]);
  });

  it("audits a new or changed policy once, and an unchanged one never", async () => {
    const audit = new AuditLog(store.database);
    const before = (await audit.head())?.seq ?? 0;
    const first = await recordPolicyState(store.database, KIND_POLICIES.mask!, "alice");
    expect(first.changed).toBe(true);
    expect(await recordPolicyState(store.database, KIND_POLICIES.mask!, "alice")).toMatchObject({
      changed: false,
    });
    const changed = defineDatasetPolicy({ dataset: "people", columns: { email: "drop" } });
    const second = await recordPolicyState(store.database, changed, "bob");
    expect(second).toMatchObject({ changed: true, previous: first.fingerprint });
    const entries = (await audit.list({ action: "policy.change" })).filter((e) => e.seq > before);
    expect(entries.map((e) => [e.actor, e.dataset])).toEqual([
      ["bob", "people"],
      ["alice", "people"],
    ]);
    expect(entries[0]!.details).toMatchObject({
      old: { fingerprint: first.fingerprint, definition: KIND_POLICIES.mask },
      new: { fingerprint: second.fingerprint, definition: changed },
    });
    expect(entries[1]!.details).toMatchObject({ old: null });
    expect((await audit.verify()).ok).toBe(true);
  });
});
