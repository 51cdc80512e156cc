import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Issue 10 item 8: every command finds the project's home from any sub-folder (the folder
 * of the nearest weir.config.ts), and a command that only reads never creates a home. Real
 * CLI processes, started in the project's root and in a sub-folder.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
let project: string;
let sub: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "weir-home-"));
  sub = join(project, "analysis", "notebooks");
  mkdirSync(sub, { recursive: true });
  mkdirSync(join(project, "pipelines", "hello"), { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(project, "weir.config.ts"),
    `import { defineConfig } from "weir";\nexport default defineConfig({ pipelines: ["pipelines"] });\n`,
  );
  writeFileSync(
    join(project, "pipelines", "hello", "pipeline.ts"),
    `import { definePipeline, defineTask } from "weir";
     export default definePipeline({ id: "hello", schedule: "@daily", tasks: [defineTask({ id: "make", run: async (ctx) => {
       await ctx.engine.run("CREATE OR REPLACE TABLE hello AS SELECT 42 AS answer");
       await ctx.lake.dataset("lake.raw.hello").write({ engine: ctx.engine, sql: "SELECT 42 AS answer" }, { mode: "overwrite" });
     } })] });`,
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) child.kill("SIGKILL");
});

/** `weir <args>` in `cwd`, WEIR_HOME unset so the project decides. */
function weir(cwd: string, args: string[], options: { closeStdout?: boolean } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" };
  delete env.WEIR_HOME;
  delete env.WEIR_CONFIG;
  delete env.WEIR_METADATA_URL;
  const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "src/cli/main.ts"), ...args], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let stdout = "";
  let stderr = "";
  // A reader that went away before anything was written (`weir … | head` once head exits).
  if (options.closeStdout) child.stdout.destroy();
  else
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
    child.on("exit", (code) => done({ code, stdout, stderr })),
  );
}

/** Every `.weir` folder under the project. */
function homes(dir = project): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === "node_modules") continue;
    if (entry.name === ".weir") found.push(join(dir, entry.name));
    else found.push(...homes(join(dir, entry.name)));
  }
  return found;
}

describe("the weir home from a sub-folder of the project", () => {
  it("reading commands refuse a project that never ran, creating no home anywhere", async () => {
    const suite = join(project, "suite.yaml");
    writeFileSync(
      suite,
      "name: hello\nexpectations:\n  - type: expect_table_row_count_to_be_between\n    kwargs: { min_value: 1 }\n",
    );
    const reads = await Promise.all([
      weir(sub, ["runs", "list"]),
      weir(sub, ["sql", "select 1 as one"]),
      weir(sub, ["lake", "ls"]),
      weir(sub, ["profile", "hello"]),
      weir(sub, ["check", "hello", "--suite", suite]),
    ]);
    for (const r of reads) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`error [CONFIG_INVALID]: no weir home at ${join(project, ".weir")}`);
      expect(r.stderr).toContain("Run a pipeline first, or pass --home");
    }
    const list = await weir(sub, ["pipelines", "list", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { pipelines: { id: string }[] }).pipelines.map((p) => p.id)).toEqual([
      "hello",
    ]);
    expect(homes()).toEqual([]);
  }, 180_000);

  it("a run from the root and reads from a sub-folder share one home, with the same answers", async () => {
    const run = await weir(project, ["run", "hello", "--date", "2024-01-15", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const reads = (cwd: string) =>
      Promise.all([
        weir(cwd, ["runs", "list", "--json"]),
        weir(cwd, ["sql", "select answer from hello", "--json"]),
        weir(cwd, ["lake", "ls", "--json"]),
      ]);
    const [fromSub, fromRoot] = [await reads(sub), await reads(project)];
    for (const r of [...fromSub, ...fromRoot]) expect(r.code, r.stderr).toBe(0);
    expect(fromSub.map((r) => r.stdout)).toEqual(fromRoot.map((r) => r.stdout));
    expect(JSON.parse(fromSub[0]!.stdout)).toHaveLength(1);
    expect(JSON.parse(fromSub[1]!.stdout)).toEqual([{ answer: 42 }]);
    expect(JSON.parse(fromSub[2]!.stdout)).toMatchObject([{ id: "lake.raw.hello" }]);
    expect(homes()).toEqual([join(project, ".weir")]);
  }, 180_000);

  it("weir sql reads unless --write", async () => {
    const refused = await weir(sub, ["sql", "create table t2 as select 1 as x"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("pass --write to change the warehouse");
    const written = await weir(sub, ["sql", "create table t2 as select 1 as x", "--write"]);
    expect(written.code, written.stderr).toBe(0);
    const read = await weir(sub, ["sql", "select x from t2", "--json"]);
    expect(JSON.parse(read.stdout)).toEqual([{ x: 1 }]);
    expect(existsSync(join(sub, ".weir"))).toBe(false);
  }, 180_000);

  it("a reader that went away is no error (weir profile … | head)", async () => {
    // Once head has gone: no EPIPE stack trace, exit 0.
    const piped = await weir(project, ["profile", "hello"], { closeStdout: true });
    expect(piped.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(piped.code).toBe(0);
  }, 180_000);
});
