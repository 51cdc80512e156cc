import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customersPipeline } from "../../examples/customers/customers-pipeline.js";
import { seedCustomers } from "../../examples/customers/seed.js";
import { SqliteSource } from "../../src/connectors/sqlite-source.js";
import { AuditLog } from "../../src/governance/audit/audit-log.js";
import { assertNoUnmaskedPii } from "../../src/governance/pii/pii-guard.js";
import { scanTable } from "../../src/governance/pii/scan-table.js";
import { defineDatasetPolicy } from "../../src/governance/policies/define-dataset-policy.js";
import type { DatasetPolicy } from "../../src/governance/policies/policy-types.js";
import { loadPolicyFile } from "../../src/governance/policies/policy-yaml.js";
import { TokenVault } from "../../src/governance/vault/token-vault.js";
import type { SqlMetadataStore } from "../../src/metadata/sql-metadata-store.js";
import { openRuntime } from "../../src/orchestrator/open-runtime.js";
import { runPipeline } from "../../src/orchestrator/run-pipeline.js";

/**
 * Policies applied where data lands, in a real run of the customers pipeline: the warehouse
 * holds no unmasked PII (the raw lake zone does, as the source had it), a policy that
 * forgets a PII column fails the run with PII_UNMASKED, a changed policy is written to the
 * audit log once, and tokenized emails can be read back only with a grant.
 */
let dir: string;
let source: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-governance-pipeline-"));
  source = join(dir, "crm.sqlite");
  seedCustomers({ path: source, rows: 4_000 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POLICY_FILE = join(import.meta.dirname, "../../examples/customers/customers.policy.yaml");

async function runCustomers(home: string, policy: DatasetPolicy | undefined, date = "2024-01-15") {
  const pipeline = customersPipeline({
    source: () =>
      new SqliteSource({ path: source, table: "customers", incremental: { cursorColumn: "updated_at" } }),
    ...(policy ? { policy } : {}),
  });
  const runtime = await openRuntime({ home, lineage: false });
  try {
    const result = await runPipeline(pipeline, { logicalDate: date, ...runtime });
    return { result, runtime };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

describe("the customers policy", () => {
  it("keeps raw PII out of the warehouse; the raw zone keeps the source as it came", async () => {
    const { result, runtime } = await runCustomers(join(dir, "default"), undefined);
    try {
      expect(result.state, result.error?.message).toBe("succeeded");
      const guard = await assertNoUnmaskedPii(runtime.engine, { name: "dim_customers" }, { allow: ["name"] });
      expect(guard.findings).toEqual([]);
      const columns = (await runtime.engine.describe({ name: "dim_customers" }))!.fields.map((f) => f.name);
      expect(columns).toEqual(expect.arrayContaining(["email_hash", "email_masked", "phone"]));
      expect(columns).not.toContain("email");
      const phones = await runtime.engine.query<{ phone: string }>(
        "SELECT phone FROM dim_customers WHERE phone IS NOT NULL LIMIT 50",
      );
      for (const { phone } of phones) expect(phone).toMatch(/^\*{4}\d{4}$/);
      // The raw zone is not protected: the scanner finds the emails and phones there.
      const raw = await runtime.lake.dataset("lake.raw.customers").scanSql();
      const report = await scanTable(runtime.lakeEngine, { sql: `SELECT * FROM ${raw}` });
      const found = Object.fromEntries(report.columns.map((c) => [c.column, c.classes.map((k) => k.class)]));
      expect(found.email).toContain("email");
      expect(found.phone).toContain("phone");
    } finally {
      await runtime.close();
    }
  }, 120_000);

  it("fails the run with PII_UNMASKED when a policy leaves a PII column raw", async () => {
    const forgetful = defineDatasetPolicy({
      dataset: "customers",
      columns: { email: [{ hash: {}, as: "email_hash" }] },
      allowRaw: ["name"],
    });
    const { result, runtime } = await runCustomers(join(dir, "forgetful"), forgetful);
    try {
      expect(result.state).toBe("failed");
      expect((result.error?.cause as { code?: string } | undefined)?.code).toBe("PII_UNMASKED");
      expect(result.summary.error?.message).toMatch(/phone/);
    } finally {
      await runtime.close();
    }
  }, 120_000);

  it("audits a changed policy once", async () => {
    const home = join(dir, "changes");
    const base = await loadPolicyFile(POLICY_FILE);
    for (const [policy, date] of [
      [base, "2024-01-15"],
      [base, "2024-01-16"],
    ] as const) {
      const { result, runtime } = await runCustomers(home, policy, date);
      await runtime.close();
      expect(result.state, result.error?.message).toBe("succeeded");
    }
    const changed = defineDatasetPolicy({
      dataset: "customers",
      columns: {
        email: [
          { hash: { normalize: "none" }, as: "email_hash" },
          { mask: "email", as: "email_masked" },
        ],
        phone: { mask: "last4" },
      },
      allowRaw: ["name"],
    });
    const { result, runtime } = await runCustomers(home, changed, "2024-01-17");
    try {
      expect(result.state, result.error?.message).toBe("succeeded");
      const audit = new AuditLog((runtime.metadata as SqlMetadataStore).database);
      // The first policy seen, then the change; the unchanged second day wrote nothing.
      expect(await audit.list({ action: "policy.change", limit: 10 })).toHaveLength(2);
      expect((await audit.verify()).ok).toBe(true);
    } finally {
      await runtime.close();
    }
  }, 180_000);

  it("tokenized emails come back only with a grant, and every request is audited", async () => {
    const tokenized = defineDatasetPolicy({
      dataset: "customers",
      columns: { email: [{ tokenize: {}, as: "email_token" }], phone: { mask: "last4" } },
      allowRaw: ["name"],
    });
    const { result, runtime } = await runCustomers(join(dir, "tokens"), tokenized);
    try {
      expect(result.state, result.error?.message).toBe("succeeded");
      const db = (runtime.metadata as SqlMetadataStore).database;
      const [row] = await runtime.engine.query<{ token: string }>(
        "SELECT email_token AS token FROM dim_customers WHERE email_token IS NOT NULL LIMIT 1",
      );
      const token = row?.token;
      expect(token).toMatch(/^tok_[0-9a-f]{32}$/);
      const vault = new TokenVault(db);
      await expect(
        vault.detokenize([token!], { principal: "mallory", reason: "curious" }),
      ).rejects.toMatchObject({
        code: "DETOKENIZE_NOT_GRANTED",
      });
      await vault.grant("alice", "detokenize", "security");
      const [email] = await vault.detokenize([token!], { principal: "alice", reason: "support ticket 42" });
      expect(email).toMatch(/@/);
      const audit = new AuditLog(db);
      expect((await audit.list({ action: "detokenize", limit: 10 })).length).toBe(2);
      expect((await audit.verify()).ok).toBe(true);
    } finally {
      await runtime.close();
    }
  }, 180_000);
});
