import { describe, expect, it } from "vitest";
import { SessionHeap } from "./session-heap.js";

describe("SessionHeap", () => {
  it("pops in heapEnd order, interleaved with pushes, like a sorted list would", () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const heap = new SessionHeap<{ heapEnd: number }>();
    const model: number[] = [];
    for (let i = 0; i < 5000; i++) {
      if (next() < 0.6 || model.length === 0) {
        const key = Math.floor(next() * 1000);
        heap.push({ heapEnd: key });
        model.push(key);
        model.sort((a, b) => a - b);
      } else {
        expect(heap.peekKey()).toBe(model[0]);
        expect(heap.pop()!.heapEnd).toBe(model.shift());
      }
      expect(heap.length).toBe(model.length);
    }
    while (model.length > 0) expect(heap.pop()!.heapEnd).toBe(model.shift());
    expect(heap.pop()).toBeUndefined();
    expect(heap.length).toBe(0);
  });
});
