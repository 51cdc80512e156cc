import { describe, expect, it } from "vitest";
import { FakeClock } from "../../core/clock.js";
import { parseDatasetCondition } from "./dataset-condition.js";
import { type DatasetEvent, datasetTriggerDue } from "./dataset-trigger-due.js";

const at = (iso: string) => new Date(iso);
const event = (dataset: string, iso: string, id?: number): DatasetEvent => ({
  dataset,
  timestamp: at(iso),
  ...(id === undefined ? {} : { id }),
});

describe("datasetTriggerDue: all of", () => {
  const condition = parseDatasetCondition(["orders", "customers"]);

  it("waits until every dataset has been updated", () => {
    const one = datasetTriggerDue(condition, [event("orders", "2024-01-01T01:00:00Z")]);
    expect(one.due).toBe(false);
    expect(one.waitingFor).toEqual(["customers"]);
    const both = datasetTriggerDue(condition, [
      event("orders", "2024-01-01T01:00:00Z"),
      event("customers", "2024-01-01T02:00:00Z"),
    ]);
    expect(both.due).toBe(true);
    expect(both.waitingFor).toEqual([]);
    expect(both.latest?.dataset).toBe("customers");
  });

  it("counts many updates of one dataset once: ten orders updates do not stand in for customers", () => {
    const events = Array.from({ length: 10 }, (_, i) => event("orders", `2024-01-01T0${i}:00:00Z`));
    expect(datasetTriggerDue(condition, events).due).toBe(false);
  });

  it("ignores events of datasets the condition does not mention", () => {
    const result = datasetTriggerDue(condition, [
      event("orders", "2024-01-01T01:00:00Z"),
      event("inventory", "2024-01-01T01:30:00Z"),
    ]);
    expect(result.due).toBe(false);
    expect(result.events.map((e) => e.dataset)).toEqual(["orders"]);
  });
});

describe("datasetTriggerDue: any of, nested", () => {
  it("any: one update is enough", () => {
    const result = datasetTriggerDue({ any: ["a", "b"] }, [event("b", "2024-01-01T00:00:00Z")]);
    expect(result.due).toBe(true);
    expect(result.waitingFor).toEqual(["a"]);
  });

  it("any: nothing updated is not due", () => {
    expect(datasetTriggerDue({ any: ["a", "b"] }, []).due).toBe(false);
  });

  it("all of (a, any of (b, c))", () => {
    const condition = parseDatasetCondition({ all: ["a", { any: ["b", "c"] }] });
    expect(datasetTriggerDue(condition, [event("a", "2024-01-01T00:00:00Z")]).due).toBe(false);
    expect(datasetTriggerDue(condition, [event("c", "2024-01-01T00:00:00Z")]).due).toBe(false);
    const due = datasetTriggerDue(condition, [
      event("c", "2024-01-01T02:00:00Z"),
      event("a", "2024-01-01T01:00:00Z"),
    ]);
    expect(due.due).toBe(true);
    expect(due.events.map((e) => e.dataset)).toEqual(["a", "c"]); // oldest first
    expect(due.waitingFor).toEqual(["b"]);
  });
});

describe("datasetTriggerDue: only events after the last triggered run count", () => {
  const condition = parseDatasetCondition(["orders", "customers"]);

  it("filters by time: events at or before `after` are already consumed", () => {
    const events = [
      event("orders", "2024-01-01T01:00:00Z"),
      event("customers", "2024-01-01T02:00:00Z"),
      event("orders", "2024-01-01T03:00:00Z"),
    ];
    expect(datasetTriggerDue(condition, events, { after: at("2024-01-01T02:00:00Z") }).due).toBe(false);
    expect(
      datasetTriggerDue(condition, events, { after: at("2024-01-01T02:00:00Z") }).events.map(
        (e) => e.dataset,
      ),
    ).toEqual(["orders"]);
    expect(datasetTriggerDue(condition, events, { after: at("2024-01-01T01:59:59Z") }).due).toBe(true);
  });

  it("filters by event id, which orders events that share a timestamp", () => {
    const same = "2024-01-01T01:00:00Z";
    const events = [
      event("orders", same, 1),
      event("customers", same, 2),
      event("orders", same, 3),
      event("customers", same, 4),
    ];
    const first = datasetTriggerDue(condition, events, { afterEventId: 0 });
    expect(first.due).toBe(true);
    expect(first.latest?.id).toBe(4);
    expect(datasetTriggerDue(condition, events, { afterEventId: 2 }).due).toBe(true);
    expect(datasetTriggerDue(condition, events, { afterEventId: 3 }).due).toBe(false);
    expect(datasetTriggerDue(condition, events, { afterEventId: 4 }).events).toEqual([]);
  });

  it("drives a dataset-triggered pipeline on a FakeClock: each run consumes the events before it", async () => {
    const clock = new FakeClock("2024-01-01T00:00:00Z");
    const log: DatasetEvent[] = [];
    let nextId = 1;
    const write = (dataset: string) => log.push({ dataset, timestamp: clock.now(), id: nextId++ });
    const runs: { at: string; consumed: string[] }[] = [];
    let cursor: number | undefined;
    const tick = () => {
      const result = datasetTriggerDue(condition, log, cursor === undefined ? {} : { afterEventId: cursor });
      if (!result.due) return;
      runs.push({
        at: clock.now().toISOString(),
        consumed: result.events.map((e) => `${e.dataset}#${e.id}`),
      });
      cursor = result.latest?.id;
    };

    write("orders");
    tick();
    await clock.advance(60_000);
    write("customers");
    tick(); // both updated → run 1
    await clock.advance(60_000);
    write("orders");
    tick(); // only orders since run 1 → no run
    write("orders");
    tick();
    await clock.advance(60_000);
    write("customers");
    tick(); // run 2
    tick(); // nothing new → no double run

    expect(runs).toEqual([
      { at: "2024-01-01T00:01:00.000Z", consumed: ["orders#1", "customers#2"] },
      { at: "2024-01-01T00:03:00.000Z", consumed: ["orders#3", "orders#4", "customers#5"] },
    ]);
  });
});
