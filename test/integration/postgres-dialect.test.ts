import { randomBytes } from "node:crypto";
import { describe, it } from "vitest";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { dialectScenario } from "../support/engine-suite.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

describe.skipIf(!postgresAvailable)("postgres dialect on a real server", () => {
  it("executes every generated statement with hostile names", async () => {
    const engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
    const schema = `weir "dialect"; -- ${randomBytes(4).toString("hex")}`;
    try {
      await dialectScenario(engine, schema);
    } finally {
      await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(schema)} CASCADE`);
      await engine.close();
    }
  });
});
