import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "weir-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MODULE = resolve(import.meta.dirname, "local-secrets.ts");

/** A process that loads a home's secrets (creating the file if it is first) and prints its hash key. */
function loader(home: string): Promise<string> {
  const code = `const { loadLocalSecrets } = await import(${JSON.stringify(MODULE)}); loadLocalSecrets(${JSON.stringify(home)}); process.stdout.write(process.env.WEIR_PII_HASH_KEY);`;
  const env = { ...process.env };
  delete env.WEIR_PII_HASH_KEY;
  delete env.WEIR_TOKEN_KEY;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { env });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((done, fail) =>
    child.on("exit", (code) => (code === 0 ? done(out) : fail(new Error(`loader exited ${code}`)))),
  );
}

describe("loadLocalSecrets", () => {
  it("processes creating a home's secrets file at once all end up with the same keys (5 rounds)", async () => {
    for (let round = 0; round < 5; round++) {
      const home = join(dir, `home-${round}`);
      const keys = await Promise.all(Array.from({ length: 6 }, () => loader(home)));
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]!.length).toBeGreaterThanOrEqual(16);
      const file = join(home, "secrets.env");
      expect(readFileSync(file, "utf8")).toContain(`WEIR_PII_HASH_KEY=${keys[0]}`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  }, 120_000);
});
