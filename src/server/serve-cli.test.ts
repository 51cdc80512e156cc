import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnWeir } from "../../test/support/weir-process.js";

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "weir-serve-cli-"));
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("weir serve", () => {
  it("starts on a free port, answers /api/health, and stops on SIGTERM; --no-scheduler opens no warehouse", async () => {
    const home = join(dir, "home");
    const weir = spawnWeir(
      ["--home", home, "serve", "--port", "0", "--no-scheduler"],
      { WEIR_HOME: home },
      children,
    );
    await until(
      () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(weir.stdout()) || weir.child.exitCode !== null,
      "the URL",
    );
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(weir.stdout())?.[1];
    expect(url, `${weir.stdout()}\n${weir.stderr()}`).toBeDefined();
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      ok: true,
      version: expect.any(String),
      metadata: { kind: "sqlite" },
    });
    const pipelines = (await (await fetch(`${url}/api/pipelines`)).json()) as { items: { id: string }[] };
    expect(pipelines.items.map((p) => p.id)).toContain("customers");
    // Only the metadata store was opened: no warehouse file in the home.
    expect(existsSync(join(home, "weir.db"))).toBe(true);
    expect(existsSync(join(home, "warehouse.duckdb"))).toBe(false);
    weir.child.kill("SIGTERM");
    expect(await weir.exited).toBe(0);
    expect(weir.stdout()).toContain("weir serve stopped");
  }, 90_000);

  it("refuses a non-loopback host while no API token exists", async () => {
    const home = join(dir, "home2");
    const weir = spawnWeir(
      ["--home", home, "serve", "--host", "0.0.0.0", "--port", "0", "--no-scheduler"],
      { WEIR_HOME: home },
      children,
    );
    const code = await weir.exited;
    expect(code).toBe(12);
    expect(weir.stderr()).toContain("SERVER_UNSAFE_BIND");
  }, 90_000);
});
