import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../config/secret.js";
import { MemorySource } from "../../connectors/memory-source.js";
import type { Schema } from "../../core/types.js";
import { writeTable } from "../../engines/table-writer.js";
import { definePipeline, defineTask } from "../../orchestrator/define-pipeline.js";
import { openRuntime, type WeirRuntime } from "../../orchestrator/open-runtime.js";
import { runPipeline } from "../../orchestrator/run-pipeline.js";
import { AuditLog } from "../audit/audit-log.js";
import { storeDatabase } from "../audit/store-database.js";
import { applyPolicy } from "../policies/apply-policy.js";
import { defineDatasetPolicy } from "../policies/define-dataset-policy.js";
import { piiDigest, tokenOf } from "../policies/pii-digest.js";
import { eraseSubject } from "./erase-subject.js";
import { listErasures } from "./erasure-record.js";
import type { ErasureTarget } from "./erasure-types.js";
import { planErasure } from "./find-subject.js";

/**
 * A pipeline that spreads one person everywhere an erasure must reach: the raw lake
 * (partitioned by country), a dimension under a policy (email hashed and masked, card
 * tokenized into the vault), a copy under another column name (an IDENTITY edge in
 * lineage), a versioned history table, and quarantine (a rejected raw record). Lineage is
 * recorded by the run itself; the erasure finds everything from it and the stored policy.
 */
const SUBJECT = "ann@example.com";
const CARD = "4111111111111111";
const HASH_KEY = "erase-test-hash-key-0123456789";
const TOKEN_KEY = "erase-test-token-key-0123456789";

const schema: Schema = {
  fields: [
    { name: "id", type: "bigint" },
    { name: "name", type: "varchar" },
    { name: "email", type: "varchar" },
    { name: "phone", type: "varchar" },
    { name: "card", type: "varchar" },
    { name: "country", type: "varchar" },
  ],
};
const people = [
  { id: 1, name: "Ann", email: SUBJECT, phone: "+49 170 1234567", card: CARD, country: "DE" },
  {
    id: 2,
    name: "Bob",
    email: "bob@example.com",
    phone: "+49 170 7654321",
    card: "5500000000000004",
    country: "DE",
  },
  {
    id: 3,
    name: "Cid",
    email: "cid@example.com",
    phone: "+33 6 12345678",
    card: "340000000000009",
    country: "FR",
  },
];
const policy = defineDatasetPolicy({
  dataset: "people",
  columns: {
    email: [
      { hash: {}, as: "email_hash" },
      { mask: "email", as: "email_masked" },
    ],
    phone: { mask: "last4" },
    card: { tokenize: {}, as: "card_token" },
  },
  allowRaw: ["name"],
});

const pipeline = definePipeline({
  id: "people",
  tasks: [
    defineTask({
      id: "extract",
      run: async (ctx) => {
        const source = new MemorySource({
          schema,
          rows: people,
          rejections: [
            {
              location: "crm",
              line: 4,
              reason: "age out of range",
              raw: JSON.stringify({ id: 1, email: SUBJECT, age: -1 }),
            },
            {
              location: "crm",
              line: 5,
              reason: "age out of range",
              raw: JSON.stringify({ id: 2, email: "bob@example.com", age: -3 }),
            },
          ],
        });
        await ctx.extract(source, { dataset: "people" });
      },
    }),
    defineTask({
      id: "land",
      dependsOn: ["extract"],
      run: async (ctx) => {
        const staged = ctx.engine.dialect.quoteTable(ctx.stagingTable("people"));
        await ctx.lake
          .dataset("lake.raw.people")
          .write(
            { engine: ctx.engine, sql: `SELECT * FROM ${staged}` },
            { mode: "overwrite-partition", partitionBy: ["country"] },
          );
        const { sql } = await applyPolicy(ctx, { sql: `SELECT * FROM ${staged}` }, policy);
        await writeTable(
          ctx.engine,
          { name: "dim_people" },
          { engine: ctx.engine, sql },
          { mode: "upsert", key: ["id"] },
        );
        await ctx.engine.run(
          `CREATE OR REPLACE TABLE contacts AS SELECT id, email AS contact_email FROM ${staged}`,
        );
        await ctx.engine.run(
          `CREATE OR REPLACE TABLE people_history AS
           SELECT id, 'old.' || email AS email, 1 AS version FROM ${staged}
           UNION ALL SELECT id, email, 2 AS version FROM ${staged}`,
        );
      },
    }),
  ],
});

let dir: string;
let runtime: WeirRuntime;
const saved = { hash: process.env.WEIR_PII_HASH_KEY, token: process.env.WEIR_TOKEN_KEY };
const subject = { column: "email", value: SUBJECT };
const entityKeys = { people_history: ["id"] };
const digest = () => piiDigest(SUBJECT, new Secret("WEIR_PII_HASH_KEY", HASH_KEY), "lower-trim");
const cardToken = () => tokenOf(CARD, new Secret("WEIR_TOKEN_KEY", TOKEN_KEY));

beforeAll(async () => {
  process.env.WEIR_PII_HASH_KEY = HASH_KEY;
  process.env.WEIR_TOKEN_KEY = TOKEN_KEY;
  dir = await mkdtemp(join(tmpdir(), "weir-erase-"));
  runtime = await openRuntime({ home: dir });
  const result = await runPipeline(pipeline, { logicalDate: "2024-01-15", ...runtime });
  expect(result.error).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  await rm(dir, { recursive: true, force: true });
  for (const [name, value] of [
    ["WEIR_PII_HASH_KEY", saved.hash],
    ["WEIR_TOKEN_KEY", saved.token],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const byDataset = (targets: readonly ErasureTarget[]) =>
  [...targets].sort((a, b) => `${a.dataset}.${a.column}`.localeCompare(`${b.dataset}.${b.column}`));

/** How many rows of each dataset hold the subject, by every form it takes; and all rows. */
async function census(): Promise<Record<string, number>> {
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await runtime.engine.query<{ n: bigint }>(sql, params))[0]!.n);
  const lake = (await runtime.lake.dataset("lake.raw.people").scanSql())!;
  return {
    lake: await count(`SELECT count(*) AS n FROM ${lake} WHERE email = $1`, [SUBJECT]),
    lakeAll: await count(`SELECT count(*) AS n FROM ${lake}`),
    dim: await count("SELECT count(*) AS n FROM dim_people WHERE email_hash = $1", [digest()]),
    dimAll: await count("SELECT count(*) AS n FROM dim_people"),
    contacts: await count("SELECT count(*) AS n FROM contacts WHERE contact_email = $1", [SUBJECT]),
    contactsAll: await count("SELECT count(*) AS n FROM contacts"),
    history: await count("SELECT count(*) AS n FROM people_history WHERE id = 1"),
    historyAll: await count("SELECT count(*) AS n FROM people_history"),
    quarantine: await count(`SELECT count(*) AS n FROM quarantine.people WHERE record->>'email' = $1`, [
      SUBJECT,
    ]),
    quarantineAll: await count("SELECT count(*) AS n FROM quarantine.people"),
  };
}

async function liveToken(token: string): Promise<boolean> {
  const row = await storeDatabase(runtime.metadata).get<{ tombstoned_at: string | null }>(
    "SELECT tombstoned_at FROM token_vault WHERE token = ?",
    [token],
  );
  return row !== undefined && row.tombstoned_at === null;
}

describe("erasure of a data subject", () => {
  const before = {
    lake: 1,
    lakeAll: 3,
    dim: 1,
    dimAll: 3,
    contacts: 1,
    contactsAll: 3,
    history: 2,
    historyAll: 6,
    quarantine: 1,
    quarantineAll: 2,
  };

  it("finds the subject raw, hashed, under another name, in every version and in quarantine", async () => {
    expect(await census()).toEqual(before);
    const plan = await planErasure(runtime, subject, { entityKeys });
    expect(byDataset(plan.targets)).toEqual([
      { dataset: "contacts", kind: "table", column: "contact_email", match: "raw", rows: 1 },
      { dataset: "dim_people", kind: "table", column: "email_hash", match: "hashed", rows: 1 },
      {
        dataset: "lake.raw.people",
        kind: "lake",
        column: "email",
        match: "raw",
        rows: 1,
        partitions: ["country=DE"],
      },
      // Both versions of person 1, the one from before the email changed too.
      { dataset: "people_history", kind: "table", column: "email", match: "raw", rows: 2 },
      { dataset: "quarantine.people", kind: "quarantine", column: "email", match: "raw", rows: 1 },
    ]);
    // The card token in the subject's dimension row is the subject's.
    expect(plan.tokens).toEqual([cardToken()]);
    expect(plan.notSearchable).toContainEqual(
      expect.objectContaining({ dataset: "dim_people", column: "email_masked" }),
    );
    // The source (outside the warehouse and the lake) is named, so it can be erased there.
    expect(plan.notSearchable.some((n) => n.column === "email" && n.reason.startsWith("outside"))).toBe(true);
    expect(plan.searched).toEqual(
      expect.arrayContaining([
        "lake.raw.people",
        "dim_people",
        "contacts",
        "people_history",
        "quarantine.people",
      ]),
    );
    expect(plan.searched.some((d) => d.startsWith("staging."))).toBe(false);
    expect(plan.subject).toEqual({
      column: "email",
      digest: `hmac-sha256:${piiDigest(SUBJECT, new Secret("k", HASH_KEY))}`,
    });

    // A misspelt column is refused, not "erased" with nothing found.
    await expect(planErasure(runtime, { column: "emial", value: SUBJECT })).rejects.toThrow(
      /no dataset has a column "emial".*did you mean email/,
    );

    // Without the entity key only the version holding the email is found.
    const plain = await planErasure(runtime, subject);
    expect(plain.targets.find((t) => t.dataset === "people_history")?.rows).toBe(1);
  });

  it("a dry run lists what would go and changes nothing", async () => {
    const report = await eraseSubject(runtime, subject, {
      dryRun: true,
      entityKeys,
      reason: "ticket 7",
      actor: "dpo",
    });
    expect(report.dryRun).toBe(true);
    expect(report.rows).toBe(6);
    expect(report.tokens).toBe(1);
    expect(report.datasets.map((d) => [d.dataset, d.rows])).toEqual([
      ["lake.raw.people", 1],
      ["contacts", 1],
      ["dim_people", 1],
      ["people_history", 2],
      ["quarantine.people", 1],
    ]);
    expect(await census()).toEqual(before);
    expect(await liveToken(cardToken())).toBe(true);
  });

  it("erases the subject everywhere, keeps everyone else, tombstones the token; a second run is harmless", async () => {
    const lake = runtime.lake.dataset("lake.raw.people");
    const fr = (await lake.manifest())!.files.find((f) => f.partition.country === "FR")!;

    const report = await eraseSubject(runtime, subject, { entityKeys, reason: "ticket 7", actor: "dpo" });
    expect(report.dryRun).toBe(false);
    expect(report.rows).toBe(6);
    expect(report.tokens).toBe(1);
    expect(report.datasets.find((d) => d.dataset === "lake.raw.people")).toMatchObject({
      rows: 1,
      partitions: ["country=DE"],
    });
    expect(await census()).toEqual({
      ...before,
      lake: 0,
      lakeAll: 2,
      dim: 0,
      dimAll: 2,
      contacts: 0,
      contactsAll: 2,
      history: 0,
      historyAll: 4,
      quarantine: 0,
      quarantineAll: 1,
    });
    // The partition without the subject was not rewritten.
    expect((await lake.manifest())!.files.find((f) => f.partition.country === "FR")).toEqual(fr);
    expect(await liveToken(cardToken())).toBe(false);

    const again = await eraseSubject(runtime, subject, { entityKeys, reason: "ticket 7", actor: "dpo" });
    expect(again).toMatchObject({ rows: 0, tokens: 0, datasets: [] });
    expect(again.plan.targets).toEqual([]);
    expect((await planErasure(runtime, subject, { entityKeys })).targets).toEqual([]);
  });

  it("records every request by digest only, and audits each dataset in a chain that verifies", async () => {
    const db = storeDatabase(runtime.metadata);
    const erasures = await listErasures(db);
    expect(erasures.map((e) => [e.dryRun, e.removed?.rows, e.finishedAt !== undefined])).toEqual([
      [false, 0, true],
      [false, 6, true],
      [true, 6, true],
    ]);
    for (const e of erasures) {
      expect(e).toMatchObject({ subjectColumn: "email", requestedBy: "dpo" });
      expect(e.subjectDigest).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    }
    const audit = new AuditLog(db);
    const entries = await audit.list({ limit: 100 });
    const erase = entries.filter((e) => e.action === "erase");
    expect(erase.map((e) => [e.dataset, e.rows]).sort()).toEqual([
      ["contacts", 1],
      ["dim_people", 1],
      ["lake.raw.people", 1],
      ["people_history", 2],
      ["quarantine.people", 1],
    ]);
    expect(erase.every((e) => e.actor === "dpo" && e.reason === "ticket 7")).toBe(true);
    const requests = entries.filter((e) => e.action === "erase.request");
    expect(requests.map((e) => e.rows)).toEqual([0, 6, null]);
    expect(entries.filter((e) => e.action === "token.tombstone").map((e) => e.rows)).toEqual([1]);
    expect((await audit.verify()).ok).toBe(true);

    // The value itself is in no record of it.
    const text = JSON.stringify([
      await db.all("SELECT * FROM erasures"),
      await db.all("SELECT * FROM audit_log"),
    ]);
    expect(text).not.toContain(SUBJECT);
    expect(text).not.toContain("ann@");
  });
});
