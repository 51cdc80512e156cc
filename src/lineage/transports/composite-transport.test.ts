import { describe, expect, it } from "vitest";
import { sampleRunEvent } from "../../../test/support/lineage-events.js";
import type { RunEvent } from "../openlineage/types.js";
import { CompositeTransport } from "./composite-transport.js";
import { MemoryTransport } from "./memory-transport.js";
import type { LineageTransport } from "./transport.js";

/** A transport that breaks every rule: throws from emit, never finishes flushing. */
const broken: LineageTransport = {
  kind: "broken",
  emit() {
    throw new Error("broken");
  },
  flush: () => new Promise<boolean>(() => {}).catch(() => false),
  close: () => Promise.reject(new Error("broken")),
};

describe("CompositeTransport", () => {
  it("sends every event to every transport", async () => {
    const a = new MemoryTransport();
    const b = new MemoryTransport();
    const composite = new CompositeTransport([a, b]);
    const events = [sampleRunEvent("START"), sampleRunEvent("COMPLETE")];
    for (const event of events) composite.emit(event);
    expect(await composite.flush()).toBe(true);
    const expected = events.map((e) => JSON.parse(JSON.stringify(e)) as RunEvent);
    expect(a.events).toEqual(expected);
    expect(b.events).toEqual(expected);
  });

  it("keeps one transport's failure from the others, and says when not everything was flushed", async () => {
    const memory = new MemoryTransport();
    const slow: LineageTransport = {
      ...broken,
      emit() {},
      flush: async (ms) => new Promise((r) => setTimeout(() => r(false), ms)),
    };
    const composite = new CompositeTransport([broken, memory, slow]);
    expect(() => composite.emit(sampleRunEvent("START"))).not.toThrow();
    expect(memory.events).toHaveLength(1);
    const started = Date.now();
    expect(await composite.flush(50)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await composite.close(50)).toBe(false);
  });

  it("with no transports is a no-op that is always flushed", async () => {
    const none = new CompositeTransport([]);
    none.emit(sampleRunEvent("START"));
    expect(await none.flush()).toBe(true);
    expect(await none.close()).toBe(true);
  });
});
