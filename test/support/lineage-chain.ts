/**
 * Hand-built OpenLineage RunEvents (spec 2-0-2 JSON) for the lineage store and graph tests:
 * a 4-stage chain source → staging → lake → warehouse with column lineage (identity, a
 * masked transformation, aggregations, a dataset-level filter and grouping), an extract
 * that reads no dataset, a check that writes none, and a two-job cycle.
 */

export const PRODUCER = "https://example.com/weir/tests";
const RUN_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const FACET_PRODUCER = { _producer: PRODUCER, _schemaURL: "https://example.com/facet.json" };

export interface DatasetRef {
  namespace: string;
  name: string;
  weir?: string;
}

export const SOURCE: DatasetRef = { namespace: "postgres://crm.example:5432", name: "crm.public.orders" };
export const STAGING: DatasetRef = {
  namespace: "duckdb://warehouse",
  name: "staging.orders",
  weir: "staging.orders",
};
export const LAKE: DatasetRef = {
  namespace: "file:///srv/lake",
  name: "raw/orders",
  weir: "lake.raw.orders",
};
export const FACT: DatasetRef = {
  namespace: "duckdb://warehouse",
  name: "main.fct_sales",
  weir: "fct_sales",
};
export const RATES: DatasetRef = { namespace: "file:///srv/lake", name: "raw/rates", weir: "lake.raw.rates" };
export const ORPHANS: DatasetRef = {
  namespace: "file:///srv/lake",
  name: "raw/orphans",
  weir: "lake.raw.orphans",
};
export const CRM_CUSTOMERS: DatasetRef = {
  namespace: "postgres://crm.example:5432",
  name: "crm.public.customers",
  weir: "source.crm.customers",
};
export const CYCLE_A: DatasetRef = { namespace: "duckdb://warehouse", name: "main.cycle_a", weir: "cycle_a" };
export const CYCLE_B: DatasetRef = { namespace: "duckdb://warehouse", name: "main.cycle_b", weir: "cycle_b" };

export const ORDER_FIELDS = ["id", "customer_id", "email", "country", "amount", "status"];

type Transformation = { type: string; subtype?: string; masking?: boolean; description?: string };

/** An input field of a column lineage facet. */
export function from(ref: DatasetRef, field: string, ...transformations: Transformation[]) {
  return { namespace: ref.namespace, name: ref.name, field, transformations };
}

export const IDENTITY: Transformation = { type: "DIRECT", subtype: "IDENTITY" };

export interface DatasetOptions {
  fields?: string[];
  lineage?: Record<string, ReturnType<typeof from>[]>;
  datasetLineage?: ReturnType<typeof from>[];
}

/** A dataset of an event, with the schema, column lineage and weir facets asked for. */
export function dataset(ref: DatasetRef, options: DatasetOptions = {}) {
  const facets: Record<string, unknown> = {};
  if (ref.weir) facets.weir = { ...FACET_PRODUCER, name: ref.weir };
  if (options.fields) {
    facets.schema = { ...FACET_PRODUCER, fields: options.fields.map((name) => ({ name, type: "VARCHAR" })) };
  }
  if (options.lineage || options.datasetLineage) {
    const fields = Object.fromEntries(
      Object.entries(options.lineage ?? {}).map(([out, inputFields]) => [out, { inputFields }]),
    );
    facets.columnLineage = {
      ...FACET_PRODUCER,
      fields,
      ...(options.datasetLineage ? { dataset: options.datasetLineage } : {}),
    };
  }
  return { namespace: ref.namespace, name: ref.name, facets };
}

export interface EventOptions {
  inputs?: ReturnType<typeof dataset>[];
  outputs?: ReturnType<typeof dataset>[];
  jobNamespace?: string;
}

/** A RunEvent of job `job` (namespace `weir`) in run `runId` at `time`. */
export function runEvent(
  eventType: string,
  job: string,
  runId: string,
  time: string,
  options: EventOptions = {},
) {
  return {
    eventType,
    eventTime: time,
    run: { runId, facets: {} },
    job: { namespace: options.jobNamespace ?? "weir", name: job, facets: {} },
    inputs: options.inputs ?? [],
    outputs: options.outputs ?? [],
    producer: PRODUCER,
    schemaURL: RUN_EVENT_SCHEMA,
  };
}

const identities = (ref: DatasetRef, fields: string[]) =>
  Object.fromEntries(fields.map((f) => [f, [from(ref, f, IDENTITY)]]));

/** Run ids of the chain, for event queries. */
export const CHAIN_RUNS = {
  extract: "0190a0c0-0000-7000-8000-000000000001",
  toLake: "0190a0c0-0000-7000-8000-000000000002",
  buildFact: "0190a0c0-0000-7000-8000-000000000003",
  rates: "0190a0c0-0000-7000-8000-000000000004",
  orphans: "0190a0c0-0000-7000-8000-000000000005",
  loopForward: "0190a0c0-0000-7000-8000-000000000006",
  loopBack: "0190a0c0-0000-7000-8000-000000000007",
};

/** Every event of the chain, in the order a run would emit them. */
export function chainEvents() {
  const lakeFields = ["id", "customer_id", "email_hash", "country", "amount", "status"];
  return [
    // extract: the datasets come in START only; COMPLETE names none (OpenLineage allows it).
    runEvent("START", "sales.extract", CHAIN_RUNS.extract, "2024-03-01T02:00:00.000Z", {
      inputs: [dataset(SOURCE, { fields: ORDER_FIELDS })],
      outputs: [dataset(STAGING, { fields: ORDER_FIELDS, lineage: identities(SOURCE, ORDER_FIELDS) })],
    }),
    runEvent("COMPLETE", "sales.extract", CHAIN_RUNS.extract, "2024-03-01T02:01:00.000Z"),
    // to_lake: the email is hashed, cancelled orders are filtered out (dataset-level).
    runEvent("START", "sales.to_lake", CHAIN_RUNS.toLake, "2024-03-01T02:02:00.000Z", {
      inputs: [dataset(STAGING)],
      outputs: [dataset(LAKE)],
    }),
    runEvent("COMPLETE", "sales.to_lake", CHAIN_RUNS.toLake, "2024-03-01T02:03:00+00:00", {
      inputs: [dataset(STAGING)],
      outputs: [
        dataset(LAKE, {
          fields: lakeFields,
          lineage: {
            ...identities(STAGING, ["id", "customer_id", "country", "amount", "status"]),
            email_hash: [
              from(STAGING, "email", {
                type: "DIRECT",
                subtype: "TRANSFORMATION",
                masking: true,
                description: "sha256",
              }),
            ],
          },
          datasetLineage: [from(STAGING, "status", { type: "INDIRECT", subtype: "FILTER" })],
        }),
      ],
    }),
    // build_fact: sales per country.
    runEvent("COMPLETE", "sales.build_fact", CHAIN_RUNS.buildFact, "2024-03-01T02:05:00.000Z", {
      inputs: [dataset(LAKE)],
      outputs: [
        dataset(FACT, {
          fields: ["country", "total", "n_orders"],
          lineage: {
            country: [from(LAKE, "country", IDENTITY)],
            total: [from(LAKE, "amount", { type: "DIRECT", subtype: "AGGREGATION", description: "sum" })],
            n_orders: [from(LAKE, "id", { type: "DIRECT", subtype: "AGGREGATION", description: "count" })],
          },
          datasetLineage: [from(LAKE, "country", { type: "INDIRECT", subtype: "GROUP_BY" })],
        }),
      ],
    }),
    // An extract from an HTTP API: outputs, no input dataset.
    runEvent("COMPLETE", "rates.fetch", CHAIN_RUNS.rates, "2024-03-01T03:00:00.000Z", {
      outputs: [dataset(RATES, { fields: ["currency", "rate"] })],
    }),
    // A check that only reads: a weir dataset nothing writes, and an external one.
    runEvent("COMPLETE", "orphans.check", CHAIN_RUNS.orphans, "2024-03-01T03:10:00.000Z", {
      inputs: [dataset(ORPHANS), dataset(CRM_CUSTOMERS)],
    }),
    // A cycle: a → b and b → a, column v both ways.
    runEvent("COMPLETE", "loop.forward", CHAIN_RUNS.loopForward, "2024-03-01T04:00:00.000Z", {
      inputs: [dataset(CYCLE_A)],
      outputs: [dataset(CYCLE_B, { fields: ["v"], lineage: { v: [from(CYCLE_A, "v", IDENTITY)] } })],
    }),
    runEvent("COMPLETE", "loop.back", CHAIN_RUNS.loopBack, "2024-03-01T04:05:00.000Z", {
      inputs: [dataset(CYCLE_B)],
      outputs: [dataset(CYCLE_A, { fields: ["v"], lineage: { v: [from(CYCLE_B, "v", IDENTITY)] } })],
    }),
  ];
}
