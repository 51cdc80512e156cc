import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TaskError } from "../../core/errors.js";
import {
  columnInput,
  columnLineageDatasetFacet,
  dataSourceDatasetFacet,
  direct,
  indirect,
  lifecycleStateChangeDatasetFacet,
  schemaDatasetFacet,
  weirDatasetFacet,
} from "./dataset-facets.js";
import { duckdbDataset, postgresDataset } from "./dataset-naming.js";
import { FACET_SCHEMA_URLS, type FacetKey } from "./facet-schema-urls.js";
import { dataQualityAssertionsFacet, dataQualityMetricsFacet } from "./input-facets.js";
import { documentationJobFacet, jobTypeJobFacet, sourceCodeJobFacet, sqlJobFacet } from "./job-facets.js";
import { pipelineJob } from "./job-naming.js";
import { outputStatisticsFacet } from "./output-facets.js";
import { WEIR_PRODUCER, WEIR_VERSION } from "./producer.js";
import {
  errorMessageRunFacet,
  nominalTimeRunFacet,
  parentRunFacet,
  processingEngineRunFacet,
} from "./run-facets.js";
import { newRunId } from "./run-id.js";
import { validateFacet } from "./validate-run-event.js";

const schemaDir = new URL("./schemas/", import.meta.url);
const vendored = readdirSync(schemaDir)
  .filter((f) => f.endsWith(".json"))
  .map(
    (f) =>
      JSON.parse(readFileSync(new URL(f, schemaDir), "utf8")) as {
        $id: string;
        $defs: Record<string, unknown>;
      },
  );

const orders = postgresDataset({ host: "db", database: "shop", schema: "public", table: "orders" });
const parentRun = { runId: newRunId(), job: pipelineJob("orders") };

/** One facet of every kind weir builds, keyed as it sits in an event. */
const built: Record<FacetKey, object> = {
  parent: parentRunFacet(parentRun),
  nominalTime: nominalTimeRunFacet({
    start: new Date("2024-03-01T00:00:00Z"),
    end: new Date("2024-03-02T00:00:00Z"),
  }),
  errorMessage: errorMessageRunFacet(new Error("boom")),
  processing_engine: processingEngineRunFacet(),
  jobType: jobTypeJobFacet({ processingType: "STREAMING", jobType: "STREAM" }),
  sql: sqlJobFacet("SELECT 1", "postgres"),
  sourceCode: sourceCodeJobFacet("export default task"),
  documentation: documentationJobFacet("Loads orders."),
  schema: schemaDatasetFacet([{ name: "payload", type: "struct", fields: [{ name: "id", type: "bigint" }] }]),
  dataSource: dataSourceDatasetFacet(orders.namespace),
  columnLineage: columnLineageDatasetFacet({
    fields: { total: [columnInput(orders, "amount", direct("AGGREGATION", { description: "sum(amount)" }))] },
    dataset: [columnInput(orders, "customer_id", indirect("GROUP_BY"))],
  }),
  lifecycleStateChange: lifecycleStateChangeDatasetFacet("RENAME", orders),
  dataQualityAssertions: dataQualityAssertionsFacet([
    { assertion: "expect_column_to_exist", success: true, column: "id" },
  ]),
  dataQualityMetrics: dataQualityMetricsFacet({
    rowCount: 3,
    columnMetrics: { id: { nullCount: 0, distinctCount: 3 } },
  }),
  outputStatistics: outputStatisticsFacet({ rowCount: 3, size: 100, fileCount: 2 }),
  weir: weirDatasetFacet("lake.raw.orders"),
};

describe("facet schema URLs", () => {
  it.each(Object.entries(FACET_SCHEMA_URLS))(
    "%s points at a vendored schema's $id and one of its $defs",
    (_key, url) => {
      const [id, pointer] = url.split("#");
      const schema = vendored.find((s) => s.$id === id);
      expect(schema, `no file in schemas/ has $id ${id}`).toBeDefined();
      const definition = pointer?.replace("/$defs/", "") ?? "";
      expect(Object.keys(schema?.$defs ?? {})).toContain(definition);
      // The spec's convention: the definition is named like the file.
      expect(id).toMatch(new RegExp(`/${definition}\\.json$`));
    },
  );

  it("vendors the core spec 2-0-2, and every OpenLineage facet schema refers to it", () => {
    expect(vendored.map((s) => s.$id)).toContain("https://openlineage.io/spec/2-0-2/OpenLineage.json");
    for (const schema of vendored.filter((s) => s.$id.includes("/spec/facets/") || s.$id.includes("weir"))) {
      const refs =
        JSON.stringify(schema).match(/https:\/\/openlineage\.io\/spec\/[0-9-]+\/OpenLineage\.json/g) ?? [];
      expect(refs.length, schema.$id).toBeGreaterThan(0);
      expect(new Set(refs), schema.$id).toEqual(
        new Set(["https://openlineage.io/spec/2-0-2/OpenLineage.json"]),
      );
    }
  });
});

describe("facet builders", () => {
  it.each(Object.entries(built))("%s validates against its published schema", (key, facet) => {
    expect(validateFacet(key as FacetKey, facet)).toEqual({ valid: true, errors: [] });
    expect(facet).toMatchObject({ _producer: WEIR_PRODUCER, _schemaURL: FACET_SCHEMA_URLS[key as FacetKey] });
  });

  it("parent: the pipeline run, with itself as the root of the chain", () => {
    expect(built.parent).toMatchObject({
      run: { runId: parentRun.runId },
      job: { namespace: "weir", name: "orders" },
      root: { run: { runId: parentRun.runId }, job: { namespace: "weir", name: "orders" } },
    });
    const root = { runId: newRunId(), job: { namespace: "airflow", name: "dag" } };
    expect(parentRunFacet(parentRun, root).root).toEqual({ run: { runId: root.runId }, job: root.job });
  });

  it("nominalTime: the data interval, end optional", () => {
    expect(built.nominalTime).toMatchObject({
      nominalStartTime: "2024-03-01T00:00:00.000Z",
      nominalEndTime: "2024-03-02T00:00:00.000Z",
    });
    const open = nominalTimeRunFacet({ start: "2024-03-01T00:00:00Z" });
    expect(open).not.toHaveProperty("nominalEndTime");
    expect(validateFacet("nominalTime", open).valid).toBe(true);
  });

  it("errorMessage: TypeScript, the message, and the stack with its causes", () => {
    const error = new TaskError("load", new Error('relation "orders" does not exist'));
    const facet = errorMessageRunFacet(error);
    expect(facet.programmingLanguage).toBe("TypeScript");
    expect(facet.message).toBe('task "load" failed: relation "orders" does not exist');
    expect(facet.stackTrace).toMatch(/^TaskError: task "load" failed/);
    expect(facet.stackTrace).toContain('Caused by: Error: relation "orders" does not exist');
    const plain = errorMessageRunFacet("just a string");
    expect(plain).toMatchObject({ message: "just a string" });
    expect(plain).not.toHaveProperty("stackTrace");
    expect(validateFacet("errorMessage", plain).valid).toBe(true);
  });

  it("processing_engine: weir at its version", () => {
    expect(built.processing_engine).toMatchObject({
      name: "weir",
      version: WEIR_VERSION,
      openlineageAdapterVersion: WEIR_VERSION,
    });
  });

  it("jobType: integration WEIR", () => {
    expect(built.jobType).toMatchObject({
      processingType: "STREAMING",
      integration: "WEIR",
      jobType: "STREAM",
    });
    expect(jobTypeJobFacet({ processingType: "BATCH" })).not.toHaveProperty("jobType");
  });

  it("sql: query and dialect", () => {
    expect(built.sql).toMatchObject({ query: "SELECT 1", dialect: "postgres" });
    expect(sqlJobFacet("SELECT 1")).not.toHaveProperty("dialect");
  });

  it("schema: from a weir Schema or from engine fields, nested fields kept", () => {
    const facet = schemaDatasetFacet({ fields: [{ name: "id", type: "bigint", nullable: false }] });
    expect(facet.fields).toEqual([{ name: "id", type: "bigint" }]);
    expect((built.schema as { fields: unknown[] }).fields).toEqual([
      { name: "payload", type: "struct", fields: [{ name: "id", type: "bigint" }] },
    ]);
  });

  it("dataSource: the namespace, as an absolute URI", () => {
    expect(built.dataSource).toMatchObject({ name: "postgres://db:5432", uri: "postgres://db:5432" });
    const duck = duckdbDataset({ file: "/data/my warehouse.duckdb", table: "t" });
    const facet = dataSourceDatasetFacet(duck.namespace);
    expect(facet).toMatchObject({
      name: "duckdb:///data/my warehouse.duckdb",
      uri: "duckdb:///data/my%20warehouse.duckdb",
    });
    expect(validateFacet("dataSource", facet).valid).toBe(true);
    expect(validateFacet("dataSource", dataSourceDatasetFacet("file")).valid).toBe(true);
  });

  it("columnLineage: the 1-2-0 shape, with dataset-level indirect lineage", () => {
    expect(built.columnLineage).toMatchObject({
      fields: {
        total: {
          inputFields: [
            {
              namespace: "postgres://db:5432",
              name: "shop.public.orders",
              field: "amount",
              transformations: [
                { type: "DIRECT", subtype: "AGGREGATION", description: "sum(amount)", masking: false },
              ],
            },
          ],
        },
      },
      dataset: [
        {
          field: "customer_id",
          transformations: [{ type: "INDIRECT", subtype: "GROUP_BY", masking: false }],
        },
      ],
    });
    const noDataset = columnLineageDatasetFacet({ fields: { id: [columnInput(orders, "id")] } });
    expect(noDataset).not.toHaveProperty("dataset");
    expect(noDataset.fields.id?.inputFields[0]).not.toHaveProperty("transformations");
  });

  it("lifecycleStateChange: the change and a renamed dataset's previous name", () => {
    expect(built.lifecycleStateChange).toMatchObject({
      lifecycleStateChange: "RENAME",
      previousIdentifier: { namespace: "postgres://db:5432", name: "shop.public.orders" },
    });
    const bad = { ...lifecycleStateChangeDatasetFacet("CREATE"), lifecycleStateChange: "UPSERT" };
    expect(validateFacet("lifecycleStateChange", bad).errors.join()).toMatch(
      /must be equal to one of the allowed values/,
    );
  });

  it("dataQuality facets and output statistics carry their numbers", () => {
    expect(built.dataQualityAssertions).toMatchObject({
      assertions: [{ assertion: "expect_column_to_exist", success: true, column: "id" }],
    });
    expect(built.dataQualityMetrics).toMatchObject({
      rowCount: 3,
      columnMetrics: { id: { nullCount: 0, distinctCount: 3 } },
    });
    expect(built.outputStatistics).toMatchObject({ rowCount: 3, size: 100, fileCount: 2 });
    expect(validateFacet("dataQualityMetrics", { ...built.dataQualityMetrics, rowCount: 1.5 }).valid).toBe(
      false,
    );
    expect(validateFacet("outputStatistics", { ...built.outputStatistics, size: "100" }).valid).toBe(false);
  });

  it("rejects a facet without its required fields or with another schema URL", () => {
    const { processingType: _, ...noProcessingType } = jobTypeJobFacet({ processingType: "BATCH" });
    expect(validateFacet("jobType", noProcessingType).errors.join()).toMatch(
      /must have required property 'processingType'/,
    );
    const { query: __, ...noQuery } = sqlJobFacet("SELECT 1");
    expect(validateFacet("sql", noQuery).valid).toBe(false);
    expect(
      validateFacet("parent", { ...built.parent, _schemaURL: FACET_SCHEMA_URLS.nominalTime }).errors.join(),
    ).toMatch(/the "parent" facet follows/);
    expect(validateFacet("weir", weirDatasetFacet("")).valid).toBe(false);
  });
});
