import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { ownerProcessIsGone } from "./owner-process.js";

describe("ownerProcessIsGone", () => {
  it("is true only for a process of this host that no longer exists", async () => {
    const child = spawn(process.execPath, ["-e", "0"]);
    const pid = child.pid!;
    const running = `${hostname()}:${process.pid}:abc`;
    await new Promise((resolve) => child.once("exit", resolve));
    expect(ownerProcessIsGone(`${hostname()}:${pid}:x1`)).toBe(true);
    // Alive (this process), another host, another shape: the heartbeat decides instead.
    expect(ownerProcessIsGone(running)).toBe(false);
    expect(ownerProcessIsGone(`${hostname()}:1:x`)).toBe(false);
    expect(ownerProcessIsGone(`not-${hostname()}:${pid}:x1`)).toBe(false);
    expect(ownerProcessIsGone("scheduler-a")).toBe(false);
    expect(ownerProcessIsGone(`${hostname()}:abc:x`)).toBe(false);
    // A host name with colons (an IPv6-ish name) is taken whole.
    expect(ownerProcessIsGone(`fe80::1:${pid}:x`, "fe80::1")).toBe(true);
  });
});
