import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleRunEvent } from "../../../test/support/lineage-events.js";
import type { LogEvent } from "../../core/log.js";
import type { RunEvent } from "../openlineage/types.js";
import { validateRunEvent } from "../openlineage/validate-run-event.js";
import { FileTransport } from "./file-transport.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "weir-lineage-file-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function linesOf(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text.slice(0, -1).split("\n");
}

describe("FileTransport", () => {
  it("appends one valid event per line to the file of the event's UTC day, creating the folder", async () => {
    const transport = new FileTransport({ dir: join(dir, "lineage") });
    const first = sampleRunEvent("START", { eventTime: "2024-03-01T23:59:59.999Z" });
    const second = sampleRunEvent("COMPLETE", {
      runId: first.run.runId,
      eventTime: "2024-03-01T23:59:59.999+00:00",
    });
    const nextDay = sampleRunEvent("START", { eventTime: "2024-03-01T23:30:00-01:00" }); // 00:30 UTC on the 2nd
    for (const event of [first, second, nextDay]) transport.emit(event);
    expect(await transport.close()).toBe(true);

    expect((await readdir(join(dir, "lineage"))).sort()).toEqual([
      "events-2024-03-01.ndjson",
      "events-2024-03-02.ndjson",
    ]);
    const lines = await linesOf(join(dir, "lineage", "events-2024-03-01.ndjson"));
    const events = lines.map((l) => JSON.parse(l) as RunEvent);
    expect(events.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
    expect(events[0]).toEqual(JSON.parse(JSON.stringify(first)));
    for (const event of events) expect(validateRunEvent(event).errors).toEqual([]);
    expect(transport.stats).toEqual({ written: 3, failed: 0 });
  });

  it("keeps every event whole when many async tasks emit at once: one line each, none torn", async () => {
    const transport = new FileTransport({ dir });
    const eventTime = "2024-03-05T10:00:00Z";
    // Events of very different sizes (up to ~200 KB) so a torn or interleaved write would show.
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i % 7));
        transport.emit(sampleRunEvent("RUNNING", { eventTime, padding: (i % 10) * 20_000 }));
      }),
    );
    expect(await transport.flush()).toBe(true);
    const lines = await linesOf(join(dir, "events-2024-03-05.ndjson"));
    expect(lines).toHaveLength(200);
    const runIds = new Set(lines.map((l) => (JSON.parse(l) as RunEvent).run.runId));
    expect(runIds.size).toBe(200);
  });

  it("does not tear lines when two writers (two weir processes) append to the same file", async () => {
    const a = new FileTransport({ dir });
    const b = new FileTransport({ dir });
    const eventTime = "2024-03-06T10:00:00Z";
    const emitted: string[] = [];
    for (let i = 0; i < 60; i++) {
      const event = sampleRunEvent("RUNNING", { eventTime, padding: 50_000 + i * 1000 });
      emitted.push(event.run.runId);
      (i % 2 === 0 ? a : b).emit(event);
      if (i % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all([a.close(), b.close()])).toEqual([true, true]);
    const lines = await linesOf(join(dir, "events-2024-03-06.ndjson"));
    expect(lines).toHaveLength(60);
    expect(new Set(lines.map((l) => (JSON.parse(l) as RunEvent).run.runId))).toEqual(new Set(emitted));
  });

  it("never throws: a folder it cannot make counts the events and warns once", async () => {
    const blocker = join(dir, "not-a-folder");
    await writeFile(blocker, "x");
    const logged: LogEvent[] = [];
    const transport = new FileTransport({
      dir: join(blocker, "lineage"),
      logger: { log: (e) => logged.push(e) },
    });
    expect(() => {
      transport.emit(sampleRunEvent("START"));
      transport.emit(sampleRunEvent("START"));
    }).not.toThrow();
    expect(await transport.flush()).toBe(true);
    transport.emit(sampleRunEvent("COMPLETE"));
    await transport.close();
    expect(transport.stats).toEqual({ written: 0, failed: 3 });
    expect(logged.filter((e) => e.level === "warn")).toHaveLength(1);
    expect(logged[0]?.message).toMatch(/could not write OpenLineage events/);
  });

  it("drops (and counts) events emitted after close", async () => {
    const transport = new FileTransport({ dir });
    await transport.close();
    transport.emit(sampleRunEvent("START"));
    expect(transport.stats.failed).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });
});
