import { describe, expect, it } from "vitest";
import { EventBuffer } from "./event-buffer.js";

describe("EventBuffer", () => {
  it("is first in, first out", () => {
    const buffer = new EventBuffer(3);
    expect(buffer.push("a") + buffer.push("b")).toBe(0);
    expect(buffer.shift()).toBe("a");
    buffer.push("c");
    buffer.push("d");
    expect([buffer.shift(), buffer.shift(), buffer.shift(), buffer.shift()]).toEqual([
      "b",
      "c",
      "d",
      undefined,
    ]);
    expect(buffer.size).toBe(0);
  });

  it("pushes the oldest out when full, never holding more than its capacity", () => {
    const buffer = new EventBuffer(3);
    let pushedOut = 0;
    for (let i = 0; i < 10; i++) pushedOut += buffer.push(String(i));
    expect(pushedOut).toBe(7);
    expect(buffer.size).toBe(3);
    expect([buffer.shift(), buffer.shift(), buffer.shift()]).toEqual(["7", "8", "9"]);
  });

  it("clears, and refuses a capacity below one", () => {
    const buffer = new EventBuffer(2);
    buffer.push("a");
    expect(buffer.clear()).toBe(1);
    expect(buffer.shift()).toBeUndefined();
    expect(() => new EventBuffer(0)).toThrow(RangeError);
  });
});
