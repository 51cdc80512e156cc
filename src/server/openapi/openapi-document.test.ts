import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { openMetadataStore } from "../../metadata/open-metadata-store.js";
import { createServerApp } from "../create-server-app.js";
import { entriesOf, ordersPipeline, seedFinishedRun } from "../testing/seed-server-store.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are read loosely in assertions; a wrong shape fails them.
type Loose = any;

let dir: string;
let store: MetadataStore;
let app: ReturnType<typeof createServerApp>;
let doc: Loose;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-openapi-"));
  store = await openMetadataStore(join(dir, "weir.db"));
  await seedFinishedRun(store, { id: "run_a", day: 3, failed: true });
  app = createServerApp({ store, pipelines: entriesOf(ordersPipeline()), version: "1.2.3" });
  doc = await (await app.request("/api/openapi.json")).json();
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `METHOD /path/{param}` for every handler the app registered (middleware and the UI fallback left out). */
function registeredRoutes(): string[] {
  const routes = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL" || r.path.endsWith("*")) continue;
    const path = r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}").replace(/\/$/, "") || "/";
    routes.add(`${r.method} ${path}`);
  }
  return [...routes].sort();
}

function documentedRoutes(): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

function ajv() {
  const a = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(a);
  a.addSchema({ $id: "urn:weir:openapi", components: doc.components });
  return a;
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and describes exactly the routes the app serves", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe("1.2.3");
    expect(documentedRoutes()).toEqual(registeredRoutes());
    expect(registeredRoutes()).toContain("GET /api/runs/{id}/tasks/{taskId}/attempts/{attempt}/logs");
    expect(registeredRoutes()).toContain("GET /metrics");
  });

  it("resolves every $ref, and every schema compiles as JSON Schema 2020-12", () => {
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) {
          if (k === "$ref" && typeof v === "string") refs.push(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const target = ref
        .slice(2)
        .split("/")
        .reduce((at: Loose, key) => at?.[key], doc);
      expect(target, ref).toBeDefined();
    }
    const a = ajv();
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => a.compile({ $ref: `urn:weir:openapi#/components/schemas/${name}` }), name).not.toThrow();
    }
    for (const op of Object.values(doc.paths).flatMap((p: Loose) => Object.values(p)) as Loose[]) {
      expect(op.responses, op.summary).toBeDefined();
      expect(op.summary).toBeTruthy();
    }
  });

  it("matches what the routes answer", async () => {
    const a = ajv();
    const check = async (path: string, schema: string) => {
      const body = await (await app.request(path)).json();
      const validate = a.compile({ $ref: `urn:weir:openapi#/components/schemas/${schema}` });
      expect(validate(body), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    await check("/api/health", "Health");
    await check("/api/runs", "RunPage");
    await check("/api/runs/run_a", "RunDetail");
    await check("/api/pipelines/orders", "PipelineDetail");
    await check("/api/quality/checks", "QualityCheckPage");
    await check("/api/runs/nope", "Error");
  });
});
