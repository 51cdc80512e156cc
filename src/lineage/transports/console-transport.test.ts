import { describe, expect, it } from "vitest";
import { sampleRunEvent } from "../../../test/support/lineage-events.js";
import type { RunEvent } from "../openlineage/types.js";
import { ConsoleTransport } from "./console-transport.js";

describe("ConsoleTransport", () => {
  it("writes each event as one JSON line", async () => {
    const chunks: string[] = [];
    const transport = new ConsoleTransport({ out: { write: (chunk: string) => chunks.push(chunk) } });
    const event = sampleRunEvent("START");
    transport.emit(event);
    transport.emit(sampleRunEvent("COMPLETE", { runId: event.run.runId }));
    expect(await transport.close()).toBe(true);
    expect(chunks).toHaveLength(2);
    for (const chunk of chunks) {
      expect(chunk.endsWith("\n")).toBe(true);
      expect(chunk.slice(0, -1)).not.toContain("\n");
    }
    expect(JSON.parse(chunks[0] as string)).toEqual(JSON.parse(JSON.stringify(event)));
    expect((JSON.parse(chunks[1] as string) as RunEvent).eventType).toBe("COMPLETE");
  });

  it("writes to stderr by default, never stdout", () => {
    const stderr: string[] = [];
    const stdout: string[] = [];
    const writeErr = process.stderr.write;
    const writeOut = process.stdout.write;
    process.stderr.write = ((chunk: string) => stderr.push(chunk) > 0) as typeof process.stderr.write;
    process.stdout.write = ((chunk: string) => stdout.push(chunk) > 0) as typeof process.stdout.write;
    try {
      new ConsoleTransport().emit(sampleRunEvent("START"));
    } finally {
      process.stderr.write = writeErr;
      process.stdout.write = writeOut;
    }
    expect(stdout).toEqual([]);
    expect(stderr).toHaveLength(1);
    expect((JSON.parse(stderr[0] as string) as RunEvent).eventType).toBe("START");
  });

  it("never throws when the stream does", () => {
    const transport = new ConsoleTransport({
      out: {
        write: () => {
          throw new Error("EPIPE");
        },
      },
    });
    expect(() => transport.emit(sampleRunEvent("START"))).not.toThrow();
    expect(transport.failed).toBe(1);
  });
});
