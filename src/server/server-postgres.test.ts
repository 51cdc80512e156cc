import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../test/support/servers.js";
import { AuditLog } from "../governance/audit/audit-log.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { openMetadataStore } from "../metadata/open-metadata-store.js";
import { sqlDatabaseOf } from "../metadata/sql-database-of.js";
import { createServerApp } from "./create-server-app.js";
import { entriesOf, minute, newRun, ordersPipeline } from "./testing/seed-server-store.js";

const SCHEMA = `weir_server_${process.pid}`;
const RUNS = 600;

// Needs the test PostgreSQL (test/support/servers.ts); without it the file reports itself skipped.
describe.skipIf(!postgresAvailable)("the API on a PostgreSQL metadata store", () => {
  let store: MetadataStore;
  let app: ReturnType<typeof createServerApp>;

  beforeAll(async () => {
    store = await openMetadataStore(`${POSTGRES_URL}?schema=${SCHEMA}`);
    for (let i = 0; i < RUNS; i++) {
      await store.runs.create(newRun(`run_${String(i).padStart(5, "0")}`, i, minute(Math.floor(i / 4))), []);
    }
    app = createServerApp({ store, pipelines: entriesOf(ordersPipeline()) });
  });

  afterAll(async () => {
    await store?.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.end();
  });

  it("pages the runs newest first with neither duplicates nor gaps", async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await app.request(`/api/runs?limit=64${cursor ? `&cursor=${cursor}` : ""}`);
      const body = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      ids.push(...body.items.map((r) => r.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(ids).toEqual(
      Array.from({ length: RUNS }, (_, i) => `run_${String(i).padStart(5, "0")}`).reverse(),
    );
  });

  it("queues a triggered run and audits it", async () => {
    const res = await app.request("/api/pipelines/orders/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ logicalDate: "2031-02-03" }),
    });
    expect(res.status).toBe(202);
    const { run } = (await res.json()) as { run: { id: string; state: string; runType: string } };
    expect(run).toMatchObject({ state: "queued", runType: "manual" });
    expect((await store.runs.get(run.id))?.state).toBe("queued");
    const entries = await new AuditLog(sqlDatabaseOf(store)!).list();
    expect(entries.filter((e) => e.action === "run.manual").map((e) => e.details)).toEqual([
      expect.objectContaining({ runId: run.id, via: "api" }),
    ]);
  });
});
