import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// An API that answers 401 and echoes the bearer token it was sent, the token placed across
// the 200th character where weir cuts error bodies. The pipeline runs in the real CLI
// (its HttpSource is loaded with tsx, a separate copy of weir's modules).
const ROOT = resolve(import.meta.dirname, "../..");
const TOKEN = "tok-echo-4f9a8b7c6d5e4f3a2b1c0d9e";
let dir: string;
let server: Server;
let url = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-http-secret-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  server = createServer((req, res) => {
    const prefix = '{"error":"invalid credentials","detail":"';
    const padding = "x".repeat(180 - prefix.length - '","received":"Bearer '.length);
    res.writeHead(401, { "content-type": "application/json" });
    res.end(`${prefix}${padding}","received":"${req.headers.authorization ?? ""}"}`);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/items`;
});
afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(dir, { recursive: true, force: true });
});

function weir(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; out: string }> {
  return new Promise((done, fail) => {
    // Not spawnSync: the API answering the pipeline lives in this process.
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, FORCE_COLOR: "0", NO_COLOR: "1" },
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("error", fail);
    child.on("close", (status) => done({ status, out }));
  });
}

/** The token, and enough of each end of it that a half left by a cut would show. */
const fragments = [TOKEN, TOKEN.slice(0, 14), TOKEN.slice(-14)];

describe("an HTTP source whose server echoes its credential", () => {
  it("keeps the token out of the CLI's output and out of weir.db", async () => {
    const src = (path: string) => JSON.stringify(join(ROOT, "src", path));
    writeFileSync(
      join(dir, "echo.ts"),
      `import { definePipeline, defineTask } from ${src("orchestrator/define-pipeline.ts")};
       import { HttpSource } from ${src("connectors/http-source.ts")};
       import { collectBatches } from ${src("core/batch.ts")};
       const extract = defineTask({ id: "extract", run: async () => {
         const source = new HttpSource({ url: process.env.WEIR_TEST_ECHO_URL!, schema: { id: "integer" },
           auth: { env: "WEIR_TEST_ECHO_TOKEN", scheme: "Bearer" }, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
         await collectBatches(source.read({ reject: () => {} }));
       } });
       export default definePipeline({ id: "echo", tasks: [extract] });`,
    );
    const home = join(dir, "home");
    const run = await weir(["run", join(dir, "echo.ts"), "--date", "2024-03-01"], {
      WEIR_HOME: home,
      WEIR_TEST_ECHO_URL: url,
      WEIR_TEST_ECHO_TOKEN: TOKEN,
    });
    expect(run.status, run.out).toBe(1);
    expect(run.out).toContain("HTTP 401");
    expect(run.out).toContain(`"received":"Bearer [redacted WEIR_TEST`);
    for (const fragment of fragments) expect(run.out).not.toContain(fragment);

    // The failed attempt's error is in the metadata store: the file (and its WAL) hold no trace.
    const bytes = ["", "-wal"]
      .map((suffix) => {
        try {
          return readFileSync(join(home, `weir.db${suffix}`)).toString("latin1");
        } catch {
          return "";
        }
      })
      .join("");
    expect(bytes).toContain("HTTP 401");
    expect(bytes).toContain(`"received":"Bearer [redacted WEIR_TEST`);
    for (const fragment of fragments) expect(bytes).not.toContain(fragment);
  });
});
