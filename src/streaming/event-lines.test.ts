import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EventLines, removeEventsFile } from "./event-lines.js";

const declared = [{ name: "a", type: "bigint" as const }];
const derived = [
  { name: "date", type: "date" as const },
  { name: "hour", type: "integer" as const },
];

describe("EventLines", () => {
  it("splices derived columns into each event's text and writes one NDJSON file per epoch", async () => {
    const lines = new EventLines(declared, derived);
    lines.push('{"a":1}', { a: 1 }, ["2024-06-01", 3], false);
    lines.push("{ }", {}, ["2024-06-02", 4], false);
    lines.push('{"a":2, "date":"x"}', { a: 2, date: "2024-06-03" }, ["2024-06-03", 5], true);
    expect(lines.size).toBe(3);
    const events = await lines.take();
    expect(events.numRows).toBe(3);
    expect(events.schema.fields.map((f) => f.name)).toEqual(["a", "date", "hour"]);
    const text = readFileSync(events.file!, "utf8").trim().split("\n");
    expect(text.map((l) => JSON.parse(l))).toEqual([
      { a: 1, date: "2024-06-01", hour: 3 },
      { date: "2024-06-02", hour: 4 },
      // The text already named a derived column: re-serialised, no key twice.
      { a: 2, date: "2024-06-03" },
    ]);
    expect(text[2]!.match(/"date"/g)).toHaveLength(1);
    await removeEventsFile(events);
    const empty = await lines.take();
    expect(empty).toEqual({ schema: events.schema, numRows: 0 });
  });

  it("keeps every event across many flushes, in order", async () => {
    const lines = new EventLines(declared, []);
    for (let i = 0; i < 10_000; i++) lines.push(`{"a":${i}}`, { a: i }, [], false);
    const events = await lines.take();
    const got = readFileSync(events.file!, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { a: number }).a);
    expect(got).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    await removeEventsFile(events);
  });
});
