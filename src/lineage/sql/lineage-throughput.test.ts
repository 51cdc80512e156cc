import { describe, expect, it } from "vitest";
import { lineageThroughput } from "./lineage-throughput.js";

describe("lineageThroughput", () => {
  it("derives lineage for 1,000 generated statements and reports statements per second", async () => {
    const result = await lineageThroughput(1000);
    expect(result.statements).toBe(1000);
    // About one in twenty is cut short on purpose.
    expect(result.parsed).toBeGreaterThan(900);
    expect(result.parsed).toBeLessThan(1000);
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.statementsPerSecond).toBeCloseTo(1000 / result.seconds, 6);
    // One parser call per statement: hundreds per second even on a small CI machine.
    expect(result.statementsPerSecond).toBeGreaterThan(100);
  });

  it("measures given statements too", async () => {
    const result = await lineageThroughput(["SELECT a FROM t", "UPDATE t SET a = 1"]);
    expect(result).toMatchObject({ statements: 2, parsed: 1 });
  });
});
