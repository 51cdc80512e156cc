import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import type { PartitionReader, SourceMessage } from "../contracts.js";
import { FileReplaySource } from "./file-source.js";

const dir = mkdtempSync(join(tmpdir(), "weir-file-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Readers a test opened, closed after it. */
const readers: PartitionReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.close();
});

async function open(source: FileReplaySource, after?: number, start: "earliest" | "latest" = "earliest") {
  const reader = await source.open("file", after, start);
  readers.push(reader);
  return reader;
}

let files = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `events-${++files}.ndjson`);
  writeFileSync(path, content);
  return path;
}

async function drain(reader: PartitionReader, max = 1000): Promise<SourceMessage[]> {
  const out: SourceMessage[] = [];
  for (;;) {
    const batch = await reader.next(max, 0);
    if (batch === null) return out;
    out.push(...batch);
  }
}

const event = (i: number) => JSON.stringify({ n: i, user: `u${i % 7}`, pad: "p".repeat(i % 50) });

describe("FileReplaySource", () => {
  it("numbers lines from 1, skips blank lines but counts them, and ends with null", async () => {
    const path = file(`{"a":1}\n\n{"a":2}\r\n   \n{"a":3}\nnot json\n{"a":4}`);
    const source = new FileReplaySource({ path });
    expect(source.description).toBe(`file:${path}`);
    expect(await source.partitions()).toEqual(["file"]);
    const reader = await open(source);
    const got = await drain(reader, 2);
    expect(got).toEqual([
      { data: '{"a":1}', position: 1 },
      { data: '{"a":2}', position: 3 },
      { data: '{"a":3}', position: 5 },
      { data: "not json", position: 6 },
      { data: '{"a":4}', position: 7 },
    ]);
    expect(await reader.next(10, 0)).toBeNull();
  });

  it("resumes after a line, across chunk boundaries", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => event(i + 1));
    const path = file(`${lines.join("\n")}\n`);
    const source = new FileReplaySource({ path, chunkBytes: 4096 });
    const all = await drain(await open(source), 333);
    expect(all.map((m) => m.position)).toEqual(lines.map((_, i) => i + 1));
    expect(all.map((m) => m.data)).toEqual(lines);
    for (const after of [0, 1, 57, 1499, 2999, 3000, 5000]) {
      const reader = await open(source, after);
      const rest = await drain(reader);
      expect(rest.map((m) => m.position)).toEqual(all.slice(after).map((m) => m.position));
      expect(rest[0]?.data).toBe(lines[after]);
    }
  });

  it("counts a last line without a newline when skipping and reading", async () => {
    const path = file("a\nb\nccc");
    const source = new FileReplaySource({ path });
    expect(await source.positionBefore("file", "latest")).toBe(3);
    expect(await drain(await open(source, 2))).toEqual([{ data: "ccc", position: 3 }]);
    expect(await (await open(source, 3)).next(10, 0)).toBeNull();
  });

  it("starts at earliest or latest and refuses a time", async () => {
    const path = file("1\n2\n3\n");
    const source = new FileReplaySource({ path });
    expect(await source.positionBefore("file", "earliest")).toBe(0);
    expect(await source.positionBefore("file", "latest")).toBe(3);
    expect(await (await open(source, undefined, "latest")).next(10, 0)).toBeNull();
    await expect(source.positionBefore("file", new Date())).rejects.toBeInstanceOf(ConfigError);
    await expect(source.open("file", undefined, new Date())).rejects.toBeInstanceOf(ConfigError);
    await expect(source.open("0", undefined, "earliest")).rejects.toBeInstanceOf(ConfigError);
  });

  it("returns a 10 MB line whole", async () => {
    const big = JSON.stringify({ blob: "x".repeat(10_000_000) });
    const path = file(`{"a":1}\n${big}\n{"a":2}\n`);
    const reader = await open(new FileReplaySource({ path, chunkBytes: 64 * 1024 }));
    const got = await drain(reader);
    expect(got.map((m) => m.position)).toEqual([1, 2, 3]);
    expect(got[1]!.data).toBe(big);
  });

  it("keeps a line that is not UTF-8 as its bytes", async () => {
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const path = file(Buffer.concat([Buffer.from('{"ok":"é\uFFFD"}\n'), bad, Buffer.from("\n")]));
    const got = await drain(await open(new FileReplaySource({ path })));
    expect(got[0]!.data).toBe('{"ok":"é\uFFFD"}');
    expect(got[1]!.data).toEqual(new Uint8Array(bad));
  });

  it("reports lag as the lines after a position", async () => {
    const path = file("1\n2\n3\n4\n");
    const reader = await open(new FileReplaySource({ path }));
    expect(await reader.lag!(0)).toBe(4);
    await reader.next(3, 0);
    expect(await reader.lag!(3)).toBe(1);
  });

  it("paces delivery to the rate on its clock", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => event(i));
    const path = file(`${lines.join("\n")}\n`);
    const clock = new FakeClock();
    const start = clock.now().getTime();
    const reader = await open(new FileReplaySource({ path, rate: 100, clock }));
    const got: SourceMessage[] = [];
    const deliveredAt: number[] = [];
    for (;;) {
      let settled = false;
      const pending = reader.next(50, 60_000).finally(() => {
        settled = true;
      });
      // Time moves only while the reader sleeps on the clock, not while it reads the file.
      while (!settled) {
        if (clock.pending > 0) await clock.advance(10);
        else await new Promise((resolve) => setImmediate(resolve));
      }
      const batch = await pending;
      if (batch === null) break;
      got.push(...batch);
      deliveredAt.push(clock.now().getTime() - start);
      expect(batch.length).toBeLessThanOrEqual(10);
    }
    expect(got).toHaveLength(300);
    // 300 events at 100/s: about 3 s of clock time, never ahead of the rate.
    const elapsed = deliveredAt.at(-1)!;
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThanOrEqual(3_300);
    let count = 0;
    for (const [i, at] of deliveredAt.entries()) {
      count += Math.min(10, 300 - i * 10);
      expect(count).toBeLessThanOrEqual(Math.floor((at * 100) / 1000) + 10);
    }
  });

  it("refuses a rate that is not positive", () => {
    expect(() => new FileReplaySource({ path: "x", rate: 0 })).toThrow(ConfigError);
  });

  it("fails with a stream error for a missing file", async () => {
    const source = new FileReplaySource({ path: join(dir, "missing.ndjson") });
    await expect(source.open("file", undefined, "earliest")).rejects.toMatchObject({
      code: "STREAM_SOURCE_FAILED",
      retryable: false,
    });
  });
});
