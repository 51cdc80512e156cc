import { afterAll, describe } from "vitest";
import { PostgresMetadataStore } from "../../src/metadata/postgres-metadata-store.js";
import { lineageSuite } from "../support/lineage-suite.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { dropSchemas } from "../support/weir-process.js";

/** The lineage store and graph queries on PostgreSQL: the same suite as SQLite's, each store in its own schema. */
const PREFIX = `weir_lineage_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];

describe.skipIf(!postgresAvailable)("lineage on PostgreSQL", () => {
  afterAll(() => dropSchemas(...schemas));
  lineageSuite("postgres", () => {
    const schema = `${PREFIX}_${schemas.length}`;
    schemas.push(schema);
    return PostgresMetadataStore.open({ url: POSTGRES_URL, schema });
  });
});
