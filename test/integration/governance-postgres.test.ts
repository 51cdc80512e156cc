import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { AuditLog } from "../../src/governance/audit/audit-log.js";
import { defineDatasetPolicy } from "../../src/governance/policies/define-dataset-policy.js";
import { policySelect } from "../../src/governance/policies/policy-select.js";
import { recordPolicyState } from "../../src/governance/policies/policy-state.js";
import { recordTokens } from "../../src/governance/policies/record-tokens.js";
import { TokenVault } from "../../src/governance/vault/token-vault.js";
import { PostgresMetadataStore } from "../../src/metadata/postgres-metadata-store.js";
import {
  expectedRows,
  HASH_KEY,
  KIND_POLICIES,
  loadPeople,
  nodeHmac,
  PEOPLE,
  SECRETS,
  TOKEN_KEY,
} from "../support/governance-people.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { dropSchemas } from "../support/weir-process.js";

const SCHEMA = `weir_gov_${process.pid}_${Date.now().toString(36)}`;
const META = `${SCHEMA}_meta`;

describe.skipIf(!postgresAvailable)("governance policies on DuckDB and PostgreSQL", () => {
  let duck: Engine;
  let pg: Engine;
  const duckTable = { schema: "raw", name: "people" };
  const pgTable = { schema: SCHEMA, name: "people" };

  beforeAll(async () => {
    duck = await DuckDBEngine.create();
    pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 4 });
    await loadPeople(duck, duckTable);
    await loadPeople(pg, pgTable);
  });
  afterAll(async () => {
    await duck?.close();
    await pg?.close();
    await dropSchemas(SCHEMA, META);
  });

  async function both(policy: (typeof KIND_POLICIES)[string]) {
    const [d, p] = await Promise.all([
      policySelect(duck, duckTable, policy, { secrets: SECRETS }).then((sql) =>
        duck.query(`${sql} ORDER BY id`),
      ),
      policySelect(pg, pgTable, policy, { secrets: SECRETS }).then((sql) => pg.query(`${sql} ORDER BY id`)),
    ]);
    return { duck: d, pg: p };
  }

  it.each(Object.keys(KIND_POLICIES))(
    "%s gives the same rows byte for byte on both engines",
    async (kind) => {
      const rows = await both(KIND_POLICIES[kind]!);
      expect(JSON.stringify(rows.pg)).toBe(JSON.stringify(rows.duck));
      expect(rows.pg).toEqual(expectedRows(kind));
    },
  );

  it("hashes on PostgreSQL as Node's createHmac does, so tables hashed on either engine join", async () => {
    const rows = await both(KIND_POLICIES.hash!);
    expect(rows.pg[2]!.email_hash).toBe(nodeHmac(HASH_KEY.reveal(), "zoë@exämple.org"));
    expect(rows.pg[5]!.ssn_hash).toBe(nodeHmac(HASH_KEY.reveal(), "🙂 ünï"));
    await pg.run(
      `CREATE TABLE ${SCHEMA}.orders AS SELECT * FROM (VALUES (100, 'ann@x.com'), (101, 'zoë@exämple.org')) t(order_id, email)`,
    );
    const orders = await policySelect(
      pg,
      { schema: SCHEMA, name: "orders" },
      defineDatasetPolicy({ dataset: "orders", columns: { email: { hash: {}, as: "email_hash" } } }),
      { secrets: SECRETS },
    );
    const hashed = await pg.query(`${orders} ORDER BY order_id`);
    const byHash = new Map(rows.duck.map((r) => [r.email_hash, r.id]));
    expect(hashed.map((o) => byHash.get(o.email_hash))).toEqual([7, 3]);
  });

  it("records tokens from concurrent loads without failing, once each, into a PostgreSQL vault", async () => {
    const stores = await Promise.all(
      [0, 1, 2, 3].map(() => PostgresMetadataStore.open({ url: POSTGRES_URL, schema: META })),
    );
    try {
      const results = await Promise.all(
        stores.map((store, i) =>
          recordTokens(
            i % 2 === 0 ? pg : duck,
            i % 2 === 0 ? pgTable : duckTable,
            KIND_POLICIES.tokenize!,
            new TokenVault(store.database, { key: TOKEN_KEY }),
            {
              secrets: SECRETS,
            },
          ),
        ),
      );
      expect(results.every((r) => r.tokens === 5)).toBe(true);
      expect(results.reduce((n, r) => n + r.added, 0)).toBe(5);
      const db = stores[0]!.database;
      const vault = new TokenVault(db, { key: TOKEN_KEY });
      await vault.grant("analyst", "detokenize", "admin");
      const landed = (await both(KIND_POLICIES.tokenize!)).pg;
      const tokens = landed.flatMap((r) => (r.card_token === null ? [] : [r.card_token as string]));
      expect(await vault.detokenize(tokens, { principal: "analyst", reason: "check" })).toEqual(
        PEOPLE.flatMap((p) => (p.card === null ? [] : [p.card])),
      );
      await vault.tombstone([tokens[0]!], { reason: "erasure" });
      expect((await vault.detokenize([tokens[0]!], { principal: "analyst", reason: "again" }))[0]).toBeNull();

      // The policy's state and the audit chain on PostgreSQL, and its tamper detection.
      expect((await recordPolicyState(db, KIND_POLICIES.tokenize!, "alice")).changed).toBe(true);
      const audit = new AuditLog(db);
      const head = await audit.verify();
      expect(head).toMatchObject({ ok: true, entries: 5 });
      const original = await db.get<{ rows_affected: string }>(
        "SELECT rows_affected FROM audit_log WHERE seq = 3",
      );
      await db.run("UPDATE audit_log SET rows_affected = 999 WHERE seq = 3");
      expect(await audit.verify()).toMatchObject({ ok: false, firstBadSeq: 3 });
      await db.run("UPDATE audit_log SET rows_affected = ? WHERE seq = 3", [original!.rows_affected]);
      expect((await audit.verify()).ok).toBe(true);
      await db.run("DELETE FROM audit_log WHERE seq = 2");
      expect(await audit.verify()).toMatchObject({
        ok: false,
        firstBadSeq: 2,
        reason: expect.stringMatching(/seq 2 is missing/),
      });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
