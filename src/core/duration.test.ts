import { describe, expect, it } from "vitest";
import { formatDuration, formatElapsed, parseDuration } from "./duration.js";
import { ConfigError } from "./errors.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["5s", 5_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1h 30m", 5_400_000],
    ["2d", 172_800_000],
    ["1w", 604_800_000],
    ["1.5h", 5_400_000],
    ["1h0m30s250ms", 3_630_250],
    ["10 minutes", 600_000],
    ["2 hours", 7_200_000],
    ["1 day", 86_400_000],
    ["30sec", 30_000],
    ["0s", 0],
    ["PT5M", 300_000],
    ["P1DT2H", 93_600_000],
    ["PT0.5S", 500],
    ["P2W", 1_209_600_000],
    ["  5m  ", 300_000],
    ["10 Minutes", 600_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("takes numbers as milliseconds", () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(250)).toBe(250);
  });

  it.each([
    ["5x", /invalid duration "5x" for task "load" timeout: unknown unit "x"/],
    ["300", /no unit: write "300ms", "300s" or pass the number 300/],
    ["", /it is empty/],
    ["-5m", /cannot be negative/],
    ["m5", /cannot read "m5"/],
    ["5M", /unknown unit "M"/],
    ["30m1h", /units must go from largest to smallest, each once/],
    ["5m5m", /units must go from largest to smallest/],
    ["5 m x", /unknown unit|cannot read/],
    ["P", /not an ISO 8601 duration/],
    ["P1Y", /not an ISO 8601 duration/],
    ["PT", /not an ISO 8601 duration/],
  ])("rejects %j with a clear error", (text, message) => {
    expect(() => parseDuration(text, 'task "load" timeout')).toThrow(ConfigError);
    expect(() => parseDuration(text, 'task "load" timeout')).toThrow(message);
  });

  it("rejects negative, infinite and non-numbers, naming what is expected", () => {
    expect(() => parseDuration(-1, "retryDelay")).toThrow(
      /invalid duration -1 for retryDelay: must be a finite number/,
    );
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => parseDuration(Number.NaN)).toThrow(/finite/);
    expect(() => parseDuration(null as unknown as string)).toThrow(/got null/);
    expect(() => parseDuration({} as unknown as string)).toThrow(
      /expected milliseconds as a number or a string such as "500ms"/,
    );
  });

  it("keeps the value and setting in the error details", () => {
    try {
      parseDuration("soon", "maxRetryDelay");
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).details).toEqual({ value: "soon", setting: "maxRetryDelay" });
    }
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [500, "500ms"],
    [1_500, "1s500ms"],
    [300_000, "5m"],
    [5_400_000, "1h30m"],
    [90_061_001, "1d1h1m1s1ms"],
    [-60_000, "-1m"],
  ])("formats %d as %j and reads back", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    if (ms >= 0) expect(parseDuration(text)).toBe(ms);
  });
});

describe("formatElapsed", () => {
  // Rounded at the unit shown, so a value just under a boundary never reads "4 min 60 s".
  it.each([
    [0, "0 ms"],
    [850, "850 ms"],
    [999.4, "999 ms"],
    [999.6, "1.0 s"],
    [2_400, "2.4 s"],
    [59_940, "59.9 s"],
    [59_960, "1 min"],
    [60_000, "1 min"],
    [185_000, "3 min 5 s"],
    [299_400, "4 min 59 s"],
    [299_600, "5 min"],
    [300_000, "5 min"],
    [3_599_600, "1 h"],
    [3_659_000, "1 h 1 min"],
    [7_500_000, "2 h 5 min"],
    [-2_400, "-2.4 s"],
  ])("formats %d as %j", (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });

  it("never shows 60 of a smaller unit, every 7 ms of the first two hours", () => {
    const sixty = /\b60(\.0)? (s|min)\b/;
    const wrong: string[] = [];
    for (let ms = 0; ms < 7_200_000; ms += 7) {
      const text = formatElapsed(ms);
      if (sixty.test(text)) wrong.push(`${ms} ms → ${text}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
