import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../test/support/servers.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import type { Engine } from "../engines/engine.js";
import { PostgresEngine } from "../engines/postgres/postgres-engine.js";
import { distributionMethod } from "./distribution-pass.js";
import { quantilesFromCounts } from "./expectations/quantiles.js";
import { validateDataset } from "./validate-dataset.js";

const QS = [0, 0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.6, 2 / 3, 0.7, 0.75, 0.9, 0.99, 1];

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The engine's own quantile_disc / quantile_cont over `values`, as JSON lists. */
async function engineQuantiles(
  engine: Engine,
  values: number[],
): Promise<{ disc: number[]; cont: number[] }> {
  const rows = values.map((v) => `(${v})`).join(", ");
  const from = `(SELECT CAST(n AS BIGINT) AS n FROM (VALUES ${rows}) AS v(n)) AS t`;
  if (engine.kind === "duckdb") {
    const [row] = await engine.query(
      `SELECT to_json(quantile_disc(n, [${QS.join(", ")}])) AS d, to_json([${QS.map((q) => `quantile_cont(n, ${q})`).join(", ")}]) AS c FROM ${from}`,
    );
    return { disc: JSON.parse(String(row!.d)), cont: JSON.parse(String(row!.c)) };
  }
  const [row] = await engine.query(
    `SELECT array_to_json(percentile_disc(ARRAY[${QS.join(", ")}]::float8[]) WITHIN GROUP (ORDER BY n)) AS d, array_to_json(percentile_cont(ARRAY[${QS.join(", ")}]::float8[]) WITHIN GROUP (ORDER BY n)) AS c FROM ${from}`,
  );
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v) as number[];
  return { disc: json(row!.d), cont: json(row!.c) };
}

/** JS quantiles from value counts agree with the engine's, bit for bit, on random data. */
async function agreesWithEngine(engine: Engine): Promise<void> {
  const next = random(42);
  for (let trial = 0; trial < 60; trial++) {
    const n = 1 + Math.floor(next() * (trial < 40 ? 25 : 400));
    const values = Array.from({ length: n }, () => Math.floor(next() * 60) - 20);
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    const counts = distinct.map((v) => values.filter((x) => x === v).length);
    const js = quantilesFromCounts(distinct, counts, engine.kind);
    const expected = await engineQuantiles(engine, values);
    const context = `values ${JSON.stringify(values)}`;
    expect(
      QS.map((q) => js.discrete(q)),
      context,
    ).toEqual(expected.disc);
    expect(
      QS.map((q) => js.continuous(q)),
      context,
    ).toEqual(expected.cont);
  }
}

describe("quantiles from value counts", () => {
  let duckdb: DuckDBEngine;
  beforeAll(async () => {
    duckdb = await DuckDBEngine.create();
  });
  afterAll(async () => duckdb?.close());

  it("equal DuckDB's quantile_disc and quantile_cont on random integer data", async () => {
    await agreesWithEngine(duckdb);
  });

  it.skipIf(!postgresAvailable)(
    "equal PostgreSQL's percentile_disc and percentile_cont on random integer data",
    async () => {
      const pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
      try {
        await agreesWithEngine(pg);
      } finally {
        await pg.close();
      }
    },
  );

  it("are null for no values", () => {
    const q = quantilesFromCounts([], [], "duckdb");
    expect([q.count, q.discrete(0.5), q.continuous(0.5)]).toEqual([0, null, null]);
  });

  it("chooses value counts for a narrow range, aggregates for a wide or unsafe one, nothing without values", () => {
    expect(distributionMethod({ lo: null, hi: null })).toBe("none");
    expect(distributionMethod({ lo: 0, hi: 65_535 })).toBe("counts");
    expect(distributionMethod({ lo: -5n, hi: 65_530n })).toBe("counts");
    expect(distributionMethod({ lo: 0, hi: 65_536 })).toBe("aggregates");
    expect(distributionMethod({ lo: 2n ** 60n, hi: 2n ** 60n + 1n })).toBe("aggregates");
  });

  it("reads value counts for a narrow column and the engine's aggregates for a wide one", async () => {
    const statements: string[] = [];
    const record = (engine: Engine): Engine =>
      new Proxy(engine, {
        get(target, prop, receiver) {
          if (prop === "query")
            return (sql: string, params?: unknown[]) => {
              statements.push(sql);
              return target.query(sql, params);
            };
          // Checks run in a read-only session: record what runs there too.
          if (prop === "readOnly")
            return <T>(fn: (ro: Engine) => Promise<T>) => target.readOnly((ro) => fn(record(ro)));
          return Reflect.get(target, prop, receiver);
        },
      });
    const recording = record(duckdb);
    const median = { type: "expect_column_median_to_be_between", kwargs: { column: "n", min_value: 0 } };
    const narrow = await validateDataset(recording, { sql: "SELECT range AS n FROM range(1000)" }, [median]);
    expect(narrow.results[0]!.result.observed_value).toBe(499.5);
    expect(statements.at(-1)).toMatch(/GROUP BY 1 ORDER BY 1$/);
    const wide = await validateDataset(recording, { sql: "SELECT range * 1000 AS n FROM range(1000)" }, [
      median,
    ]);
    expect(wide.results[0]!.result.observed_value).toBe(499500);
    expect(statements.at(-1)).toMatch(/quantile_cont/);
    expect(narrow.scans).toBe(2);
    expect(wide.scans).toBe(2);
  });
});
