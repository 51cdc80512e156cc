import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runWeir } from "../support/weir-process.js";

/**
 * `weir warehouse plan|apply` as a user runs them: a temporary project whose weir.config.ts
 * lists `warehouseModels`, a model file, and the project's DuckDB warehouse (and PostgreSQL
 * through WEIR_WAREHOUSE_URL when it answers).
 */
const MODEL = (file: string) => JSON.stringify(join(ROOT, "src/warehouse/model", file));
const CONFIG = JSON.stringify(join(ROOT, "src/config/project-config.ts"));

let dir: string;
let home: string;
let config: string;

/** The model file: a dimension (with `extra` columns) and a date dimension in `schema`. */
function writeModel(schema: string, extra: string): void {
  writeFileSync(
    join(dir, "models", "shop.warehouse.ts"),
    `import { defineDimension } from ${MODEL("define-dimension.ts")};
     import { dateDimension } from ${MODEL("calendar-dimensions.ts")};
     import { defineWarehouse } from ${MODEL("define-warehouse.ts")};
     const customers = defineDimension({
       name: "dim_customers", schema: ${JSON.stringify(schema)}, surrogateKey: "customer_key", naturalKey: "customer_id",
       columns: { customer_id: "varchar", name: "varchar"${extra} },
     });
     export default defineWarehouse({ name: "shop", tables: [customers,
       dateDimension({ schema: ${JSON.stringify(schema)}, from: "2024-01-01", to: "2024-03-31" })] });`,
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-warehouse-cli-"));
  home = join(dir, "home");
  config = join(dir, "weir.config.ts");
  mkdirSync(join(dir, "models"));
  writeFileSync(
    config,
    `import { defineConfig } from ${CONFIG};
     export default defineConfig({ pipelines: [], streams: [], warehouseModels: ["models"], home: "home" });`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cliSuite(name: string, warehouseUrl: string, schema: string): void {
  describe(`weir warehouse on ${name}`, () => {
    const weir = (...args: string[]) =>
      runWeir(["warehouse", ...args], {
        WEIR_CONFIG: config,
        WEIR_HOME: home,
        WEIR_WAREHOUSE_URL: warehouseUrl,
      });

    afterAll(async () => {
      if (!warehouseUrl.startsWith("postgres")) return;
      const { dropSchemas } = await import("../support/weir-process.js");
      await dropSchemas(schema);
    });

    it("plans, applies, re-plans nothing, and refuses a dropped column until allowed", {
      timeout: 120_000,
    }, async () => {
      writeModel(schema, ', segment: "varchar"');
      const plan = await weir("plan");
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toMatch(/CREATE TABLE IF NOT EXISTS "[^"]+"\."dim_customers"/);
      expect(plan.stdout).toContain("91 of 91 dates 2024-01-01..2024-03-31 are missing");
      // Planning reads only: no DuckDB warehouse file is created for it.
      if (!warehouseUrl.startsWith("postgres"))
        expect(existsSync(join(home, "warehouse.duckdb"))).toBe(false);

      const json = await weir("plan", "--model", "shop", "--json");
      expect(json.code, json.stderr).toBe(0);
      const [parsed] = JSON.parse(json.stdout) as { warehouse: string; steps: { kind: string }[] }[];
      expect(parsed!.warehouse).toBe("shop");
      expect(parsed!.steps.map((s) => s.kind)).toContain("create-table");

      const apply = await weir("apply");
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stdout).toMatch(/applied \d+ steps to warehouse shop/);
      const again = await weir("plan");
      expect(again.stdout).toContain("-- warehouse shop is up to date");

      writeModel(schema, "");
      const refused = await weir("apply");
      expect(refused.code).toBe(10);
      expect(refused.stderr).toContain("WAREHOUSE_CHANGE_REFUSED");
      expect(refused.stderr).toContain("column segment");
      const allowed = await weir("apply", "--allow-destructive");
      expect(allowed.code, allowed.stderr).toBe(0);
      expect((await weir("plan")).stdout).toContain("up to date");
    });

    it("names a model that does not exist, exit 2", async () => {
      const r = await weir("plan", "--model", "nope");
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no warehouse model "nope"');
    });
  });
}

cliSuite("DuckDB", "", "shop");
const { postgresAvailable, POSTGRES_URL } = await import("../support/servers.js");
if (postgresAvailable) cliSuite("PostgreSQL", POSTGRES_URL, `wh_cli_${process.pid}`);
