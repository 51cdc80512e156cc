import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factUserEvents, userDailyMetrics } from "../../../examples/warehouse/warehouse.js";
import { Secret } from "../../config/secret.js";
import { DuckDBDialect } from "../../engines/duckdb/duckdb-dialect.js";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../engines/engine.js";
import { PostgresDialect } from "../../engines/postgres/postgres-dialect.js";
import { policySelect } from "../../governance/policies/policy-select.js";
import { loadPolicyFile } from "../../governance/policies/policy-yaml.js";
import { escapePartitionSql } from "../../lake/partition-escape.js";
import { aggregateSelect, keyFilter } from "../../warehouse/aggregates/aggregate-sql.js";
import { insertOrdered, keyedRowsSql } from "../../warehouse/facts/fact-load-sql.js";
import { dateKeySql, timeKeySql } from "../../warehouse/facts/time-keys-sql.js";
import { localFileDataset, tableDataset } from "../openlineage/dataset-naming.js";
import { validateFacet } from "../openlineage/validate-run-event.js";
import { statementLineage } from "./column-lineage.js";
import { columnLineageFacet } from "./column-lineage-facet.js";
import { lineageText } from "./lineage-text.js";
import type { ColumnCatalog, DatasetName } from "./lineage-types.js";
import { policyMaskedColumns } from "./policy-masked-columns.js";

/**
 * The statements weir itself runs, made by the same code (dialects, warehouse SQL
 * builders) or copied where the SQL is written inline (the customers transform, the lake's
 * COPY). Their lineage is what weir's own runs will emit.
 */

const duckdb = { kind: "duckdb", dialect: new DuckDBDialect() } as unknown as Engine;
const postgres = { kind: "postgres", dialect: new PostgresDialect() } as unknown as Engine;

const CUSTOMERS = ["customer_id", "name", "email", "registration_date", "last_activity", "updated_at", "age"];
const catalog: ColumnCatalog = {
  columnsOf: (t) => {
    if ("file" in t) return undefined;
    if (t.schema === "staging_run1" && t.name === "customers") return CUSTOMERS;
    if (t.name === "fact_user_events") return factUserEvents.columns.map((c) => c.name);
    return undefined;
  },
};

/** `examples/customers/customers-pipeline.ts`, task `transform`, for a run ending 2024-01-02. */
const CUSTOMERS_TRANSFORM = `CREATE OR REPLACE VIEW "staging_run1"."customers_derived" AS
         SELECT *,
           NULLIF(lower(split_part(email, '@', 2)), '') AS email_domain,
           CAST(CAST(CAST('2024-01-02 00:00:00.000' AS TIMESTAMP) AS DATE) - registration_date AS BIGINT) AS days_since_registration,
           COALESCE(last_activity >= CAST('2024-01-02 00:00:00.000' AS TIMESTAMP) - INTERVAL '30 days', FALSE) AS is_active
         FROM "staging_run1"."customers"`;

describe("lineage of the statements weir runs", () => {
  it("the customers transform view: star columns copied, derived ones computed", async () => {
    const result = await statementLineage(CUSTOMERS_TRANSFORM, catalog);
    expect(result).toMatchObject({
      parsed: true,
      kind: "create_view_as",
      target: { schema: "staging_run1", name: "customers_derived" },
      inputs: [{ schema: "staging_run1", name: "customers" }],
    });
    expect(result.reason).toBeUndefined();
    expect(lineageText(result)).toEqual({
      ...Object.fromEntries(CUSTOMERS.map((c) => [c, [`staging_run1.customers.${c} DIRECT/IDENTITY`]])),
      email_domain: ["staging_run1.customers.email DIRECT/TRANSFORMATION, INDIRECT/CONDITIONAL"],
      days_since_registration: ["staging_run1.customers.registration_date DIRECT/TRANSFORMATION"],
      is_active: ["staging_run1.customers.last_activity DIRECT/TRANSFORMATION, INDIRECT/CONDITIONAL"],
    });
  });

  it("the customers transform view without a catalog: the derived columns, and a reason for the *", async () => {
    const result = await statementLineage(CUSTOMERS_TRANSFORM);
    expect(result.parsed).toBe(true);
    expect(result.columns.map((c) => c.name)).toEqual([
      "email_domain",
      "days_since_registration",
      "is_active",
    ]);
    expect(result.reason).toMatch(/SELECT \* over staging_run1\.customers: its columns are unknown/);
  });

  it("writeTable's upsert: INSERT … SELECT … ON CONFLICT DO UPDATE, on both dialects", async () => {
    const target = { schema: "dw", name: "dim_customers" };
    const stage = { name: "weir_stage_1" };
    const columns = ["customer_id", "name", "email"];
    for (const engine of [duckdb, postgres]) {
      const [sql] = engine.dialect.upsert(target, stage, columns, ["customer_id"]);
      expect(sql).toMatch(/ON CONFLICT \("customer_id"\) DO UPDATE SET/);
      const result = await statementLineage(sql!);
      expect(result).toMatchObject({ parsed: true, kind: "insert_select", target, inputs: [stage] });
      expect(lineageText(result)).toEqual({
        customer_id: ["weir_stage_1.customer_id DIRECT/IDENTITY"],
        name: ["weir_stage_1.name DIRECT/IDENTITY"],
        email: ["weir_stage_1.email DIRECT/IDENTITY"],
        // PostgreSQL's upsert inserts in key order (writers wait on row locks in one order).
        ...(engine === postgres ? { "*": ["weir_stage_1.customer_id INDIRECT/SORT"] } : {}),
      });
    }
  });

  it("writeTable's append/overwrite of SQL input and its stage insert", async () => {
    const d = duckdb.dialect;
    const input = `SELECT customer_id, lower(email) AS email FROM "staging_run1"."customers" WHERE age >= 18`;
    const append = d.insertSelect(
      { name: "dim_customers" },
      ["customer_id", "email"],
      `SELECT "customer_id", "email" FROM (${input}) AS weir_q`,
    );
    expect(lineageText(await statementLineage(append, catalog))).toEqual({
      customer_id: ["staging_run1.customers.customer_id DIRECT/IDENTITY"],
      email: ["staging_run1.customers.email DIRECT/TRANSFORMATION"],
      "*": ["staging_run1.customers.age INDIRECT/FILTER"],
    });
    const stage = d.insertSelect(
      { name: "weir_stage_2" },
      ["customer_id", "email", "_weir_seq"],
      `SELECT "customer_id", "email", row_number() OVER () FROM (${input}) AS weir_q`,
    );
    expect(lineageText(await statementLineage(stage, catalog))).toEqual({
      customer_id: ["staging_run1.customers.customer_id DIRECT/IDENTITY"],
      email: ["staging_run1.customers.email DIRECT/TRANSFORMATION"],
      _weir_seq: [],
      "*": ["staging_run1.customers.age INDIRECT/FILTER"],
    });
    const [remove, insert] = d.overwritePartitions({ name: "t" }, { name: "s" }, ["day", "v"], ["day"]);
    expect(await statementLineage(remove!)).toMatchObject({
      parsed: false,
      kind: "other",
      reason: /^DELETE:/,
    });
    expect(lineageText(await statementLineage(insert!))).toEqual({
      day: ["s.day DIRECT/IDENTITY"],
      v: ["s.v DIRECT/IDENTITY"],
    });
  });

  it("the incremental aggregate refresh (examples/warehouse user_daily_metrics) on both dialects", async () => {
    const expected = {
      user_id: ["fact_user_events.user_id DIRECT/IDENTITY"],
      date_key: ["fact_user_events.date_key DIRECT/IDENTITY"],
      total_events: [],
      sessions: ["fact_user_events.session_id DIRECT/AGGREGATION masked"],
      purchases: ["fact_user_events.event_type INDIRECT/FILTER"],
      revenue: [
        "fact_user_events.event_properties DIRECT/AGGREGATION, INDIRECT/CONDITIONAL",
        "fact_user_events.event_type INDIRECT/FILTER, INDIRECT/CONDITIONAL",
      ],
      "*": [
        "fact_user_events.user_id INDIRECT/GROUP_BY",
        "fact_user_events.date_key INDIRECT/GROUP_BY, INDIRECT/FILTER",
      ],
    };
    const columns = userDailyMetrics.columns.map((c) => `"${c.name}"`).join(", ");
    for (const engine of [duckdb, postgres]) {
      const sql = `INSERT INTO "user_daily_metrics" (${columns}) ${aggregateSelect(engine, userDailyMetrics, keyFilter(engine, userDailyMetrics, 1))}`;
      const result = await statementLineage(sql, catalog, { dialect: engine.kind });
      expect(result).toMatchObject({
        parsed: true,
        kind: "insert_select",
        inputs: [{ name: "fact_user_events" }],
      });
      expect(result.reason).toBeUndefined();
      expect(lineageText(result)).toEqual(expected);
    }
  });

  it("the fact load (keyed rows with as-of dimension lookups) of the warehouse example", async () => {
    const events = '"staging_run1"."events"';
    const input = {
      sql: `SELECT event_id, user_id, event_type,
          ${dateKeySql(duckdb, '"timestamp"')} AS date_key,
          ${timeKeySql(duckdb, '"timestamp"', "minute")} AS time_key,
          session_id, page_url, referrer_url,
          properties AS event_properties, "timestamp" AS created_at
        FROM ${events}`,
    };
    const sql = duckdb.dialect.insertSelect(
      { name: "fact_user_events" },
      factUserEvents.columns.map((c) => c.name),
      insertOrdered(duckdb, factUserEvents, keyedRowsSql(duckdb, factUserEvents, input)),
    );
    const result = await statementLineage(sql);
    expect(result).toMatchObject({
      parsed: true,
      kind: "insert_select",
      target: { name: "fact_user_events" },
    });
    expect(result.reason).toBeUndefined();
    expect(result.inputs).toEqual([
      { schema: "staging_run1", name: "events" },
      { name: "dim_users" },
      { name: "dim_event_types" },
    ]);
    const ev = (c: string, t: string) => `staging_run1.events.${c} ${t}`;
    expect(lineageText(result)).toEqual({
      event_id: [ev("event_id", "DIRECT/TRANSFORMATION")],
      user_key: ["dim_users.user_key DIRECT/IDENTITY, INDIRECT/CONDITIONAL"],
      user_id: [ev("user_id", "DIRECT/TRANSFORMATION")],
      event_type_key: ["dim_event_types.event_type_key DIRECT/IDENTITY, INDIRECT/CONDITIONAL"],
      event_type: [ev("event_type", "DIRECT/TRANSFORMATION")],
      date_key: [ev("timestamp", "DIRECT/TRANSFORMATION")],
      time_key: [ev("timestamp", "DIRECT/TRANSFORMATION")],
      session_id: [ev("session_id", "DIRECT/TRANSFORMATION")],
      page_url: [ev("page_url", "DIRECT/TRANSFORMATION")],
      referrer_url: [ev("referrer_url", "DIRECT/TRANSFORMATION")],
      event_properties: [ev("properties", "DIRECT/TRANSFORMATION")],
      created_at: [ev("timestamp", "DIRECT/TRANSFORMATION")],
      "*": [
        // Loadable rows, and the dedupe: row_number() over the grain, ordered by every column, = 1.
        ev("event_id", "INDIRECT/FILTER"),
        ev("timestamp", "INDIRECT/FILTER, INDIRECT/JOIN, INDIRECT/SORT"),
        ev("user_id", "INDIRECT/FILTER, INDIRECT/JOIN"),
        ev("event_type", "INDIRECT/FILTER, INDIRECT/JOIN"),
        ev("session_id", "INDIRECT/FILTER"),
        ev("page_url", "INDIRECT/FILTER"),
        ev("referrer_url", "INDIRECT/FILTER"),
        ev("properties", "INDIRECT/FILTER"),
        // The as-of lookup: the versions' validity from effective_date, ordered by user_key.
        "dim_users.user_key INDIRECT/FILTER, INDIRECT/JOIN, INDIRECT/SORT",
        "dim_users.user_id INDIRECT/JOIN",
        "dim_users.effective_date INDIRECT/JOIN",
        "dim_event_types.event_type_key INDIRECT/FILTER",
        "dim_event_types.event_type INDIRECT/FILTER, INDIRECT/JOIN",
      ],
    });
  });

  it("the lake's COPY … TO parquet (partitioned, with escaped text partition values, and single file)", async () => {
    const q = (c: string) => `"${c}"`;
    const input = `SELECT * FROM "staging_run1"."customers"`;
    const partitioned = `SELECT ${CUSTOMERS.map(q).join(", ")}, ('2024') AS "year", ('01') AS "month", ('02') AS "day" FROM (${input}) AS "_weir_input"`;
    const escaped = `SELECT * REPLACE (${escapePartitionSql(q("day"))} AS "day") FROM (${partitioned}) AS "_weir_escaped"`;
    const copy = `COPY (${escaped}) TO '/data/lake/raw/customers/.staging/c1' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, PARTITION_BY ("year", "month", "day"), FILENAME_PATTERN 'part-c1-{i}')`;
    const result = await statementLineage(copy, catalog);
    expect(result).toMatchObject({
      parsed: true,
      kind: "copy_to",
      target: { file: "/data/lake/raw/customers/.staging/c1" },
      inputs: [{ schema: "staging_run1", name: "customers" }],
    });
    expect(result.reason).toBeUndefined();
    expect(lineageText(result)).toEqual({
      ...Object.fromEntries(CUSTOMERS.map((c) => [c, [`staging_run1.customers.${c} DIRECT/IDENTITY`]])),
      year: [],
      month: [],
      day: [],
    });
    const single = await statementLineage(
      `COPY (${input}) TO '/data/lake/raw/customers/.staging/c2/part-c2-0.parquet' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`,
      catalog,
    );
    expect(single).toMatchObject({
      kind: "copy_to",
      target: { file: "/data/lake/raw/customers/.staging/c2/part-c2-0.parquet" },
    });
    expect(single.columns.map((c) => c.name)).toEqual(CUSTOMERS);
  });

  it("reading the lake back: a pruned read_parquet scan", async () => {
    const result = await statementLineage(
      `SELECT customer_id, email FROM read_parquet(['/data/lake/raw/customers/year=2024/month=01/day=02/part-c1-0.parquet'], hive_partitioning = true, union_by_name = true) WHERE "day" = '02'`,
    );
    expect(result.inputs).toEqual([
      { file: "/data/lake/raw/customers/year=2024/month=01/day=02/part-c1-0.parquet" },
    ]);
    expect(result.datasetLevel.map((f) => f.field)).toEqual(["day"]);
  });
});

describe("columnLineageFacet", () => {
  it("turns a statement's lineage into a valid OpenLineage columnLineage facet", async () => {
    const lineage = await statementLineage(CUSTOMERS_TRANSFORM, catalog);
    const facet = columnLineageFacet(lineage, (d) =>
      "file" in d
        ? localFileDataset(d.file)
        : tableDataset("duckdb", "/data/warehouse.duckdb", d.schema, d.name),
    );
    expect(validateFacet("columnLineage", facet)).toEqual({ valid: true, errors: [] });
    const customers = tableDataset("duckdb", "/data/warehouse.duckdb", "staging_run1", "customers");
    expect(facet.fields.email_domain).toEqual({
      inputFields: [
        {
          ...customers,
          field: "email",
          transformations: [
            { type: "DIRECT", subtype: "TRANSFORMATION", masking: false },
            { type: "INDIRECT", subtype: "CONDITIONAL", masking: false },
          ],
        },
      ],
    });
    expect(Object.keys(facet.fields)).toEqual([
      ...CUSTOMERS,
      "email_domain",
      "days_since_registration",
      "is_active",
    ]);
    expect(facet.dataset).toEqual([]);
  });
});

describe("a governance policy's load (examples/customers customers.policy.yaml)", () => {
  let engine: DuckDBEngine;
  beforeAll(async () => {
    engine = await DuckDBEngine.create();
    await engine.run("CREATE SCHEMA staging_run1");
    await engine.run(
      `CREATE TABLE staging_run1.customers_passed (${[...CUSTOMERS, "phone"].map((c) => `${c} VARCHAR`).join(", ")})`,
    );
  });
  afterAll(() => engine?.close());

  it("marks the policy's outputs masked: hashes by their SHA-256, masks by the policy's names", async () => {
    const policy = await loadPolicyFile(
      fileURLToPath(new URL("../../../examples/customers/customers.policy.yaml", import.meta.url)),
    );
    const source = { sql: `SELECT * FROM "staging_run1"."customers_passed"` };
    const select = await policySelect(engine, source, policy, {
      secrets: { hashKey: new Secret("TEST_HASH_KEY", "k".repeat(40)) },
    });
    const columns = ["customer_id", "name", "email_hash", "email_masked", "phone"];
    const load = duckdb.dialect.insertSelect(
      { name: "dim_customers" },
      columns,
      `SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM (${select}) AS weir_q`,
    );
    const passed = (t: DatasetName) =>
      "file" in t ? undefined : t.name === "customers_passed" ? [...CUSTOMERS, "phone"] : undefined;
    const plain = await statementLineage(load, { columnsOf: passed });
    expect(plain.parsed).toBe(true);
    const text = lineageText(plain);
    // The HMAC is SHA-256 over the value: a masking function without any hint.
    expect(text.email_hash).toEqual([
      "staging_run1.customers_passed.email INDIRECT/CONDITIONAL masked, DIRECT/TRANSFORMATION masked",
    ]);
    expect(text.name).toEqual(["staging_run1.customers_passed.name DIRECT/IDENTITY"]);
    // The email and last-4 masks are string functions: masked only when the policy says so.
    expect(text.email_masked!.every((f) => !f.includes("masked"))).toBe(true);

    const hinted = lineageText(
      await statementLineage(load, { columnsOf: passed }, { maskedColumns: policyMaskedColumns(policy) }),
    );
    expect(policyMaskedColumns(policy)).toEqual(["email_hash", "email_masked", "phone"]);
    const passedField = (c: string, t: string) => `staging_run1.customers_passed.${c} ${t}`;
    expect(hinted).toEqual({
      customer_id: [passedField("customer_id", "DIRECT/IDENTITY")],
      name: [passedField("name", "DIRECT/IDENTITY")],
      email_hash: [passedField("email", "INDIRECT/CONDITIONAL masked, DIRECT/TRANSFORMATION masked")],
      email_masked: [passedField("email", "INDIRECT/CONDITIONAL, DIRECT/TRANSFORMATION masked")],
      phone: [passedField("phone", "INDIRECT/CONDITIONAL, DIRECT/TRANSFORMATION masked")],
    });
  });
});
