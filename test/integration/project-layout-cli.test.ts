import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Projects as users lay them out: a `weir.config.ts` in a folder whose package.json is not
 * `"type": "module"` (or that has none, so tsx loads the TypeScript as CommonJS), and a
 * pipeline whose tasks form a cycle, asked for by id. Each command runs in its own process.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const CONFIG = JSON.stringify(join(ROOT, "src/config/project-config.ts"));
const DEFINE = JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"));
/** tsx by path: the projects live outside this repository, where `--import tsx` would not resolve. */
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
let base: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "weir-layout-"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A project folder with a config, a good pipeline and (optionally) a cyclic one. */
function project(name: string, packageJson: object | undefined, withCycle = false): string {
  const dir = join(base, name);
  mkdirSync(join(dir, "pipelines", "hello"), { recursive: true });
  if (packageJson) writeFileSync(join(dir, "package.json"), JSON.stringify(packageJson));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `import { defineConfig } from ${CONFIG};
     export default defineConfig({ pipelines: ["pipelines"], home: "home" });`,
  );
  writeFileSync(
    join(dir, "pipelines", "hello", "pipeline.ts"),
    `import { definePipeline, defineTask } from ${DEFINE};
     export default definePipeline({ id: "hello", tasks: [defineTask({ id: "greet", run: async () => "hi" })] });`,
  );
  if (withCycle) {
    mkdirSync(join(dir, "pipelines", "looped"), { recursive: true });
    writeFileSync(
      join(dir, "pipelines", "looped", "pipeline.ts"),
      `import { definePipeline, defineTask } from ${DEFINE};
       export default definePipeline({ id: "looped", tasks: [
         defineTask({ id: "a", dependsOn: ["c"], run: async () => 0 }),
         defineTask({ id: "b", dependsOn: ["a"], run: async () => 0 }),
         defineTask({ id: "c", dependsOn: ["b"], run: async () => 0 }),
       ] });`,
    );
  }
  return dir;
}

function weir(dir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", TSX, join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: dir,
    env: { ...process.env, WEIR_HOME: "", WEIR_CONFIG: "", FORCE_COLOR: "0", NO_COLOR: "1" },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("weir.config.ts outside an ES-module package", () => {
  it.each([
    ["no package.json", undefined],
    ['a package.json without "type"', { name: "my-data", private: true }],
  ])("loads the config and its pipelines with %s (tsx compiles them to CommonJS)", (_layout, packageJson) => {
    const dir = project(packageJson ? "cjs-package" : "cjs-bare", packageJson);
    const list = weir(dir, ["pipelines", "list", "--json"]);
    expect(list.stderr).toBe("");
    expect(list.status).toBe(0);
    const listed = JSON.parse(list.stdout) as { pipelines: { id: string }[]; failures: unknown[] };
    expect(listed.pipelines.map((p) => p.id)).toEqual(["hello"]);
    expect(listed.failures).toEqual([]);
    const run = weir(dir, ["run", "hello", "--date", "2024-01-15", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ pipeline: "hello", state: "succeeded" });
  });
});

describe("a pipeline with a cycle", () => {
  it("is named with its cycle and file by run, validate and list: PIPELINE_INVALID, not 'not found'", () => {
    const dir = project("cycle", { type: "module" }, true);
    const file = join(dir, "pipelines", "looped", "pipeline.ts");
    const run = weir(dir, ["run", "looped", "--date", "2024-01-15"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `error [PIPELINE_INVALID]: ${file}: pipeline "looped" has a cycle: a → b → c → a`,
    );
    expect(run.stderr).not.toContain("PIPELINE_NOT_FOUND");

    const one = weir(dir, ["pipelines", "validate", "looped"]);
    expect(one.status).toBe(2);
    expect(one.stdout).toContain('pipeline "looped" has a cycle: a → b → c → a');
    expect(one.stdout).toContain("pipelines/looped/pipeline.ts");

    const all = weir(dir, ["pipelines", "validate"]);
    expect(all.status).toBe(2);
    expect(all.stdout).toMatch(/✓ hello/);
    expect(all.stdout).toContain('pipeline "looped" has a cycle: a → b → c → a');

    const list = weir(dir, ["pipelines", "list"]);
    expect(list.status).toBe(2);
    expect(list.stdout).toContain('pipeline "looped" has a cycle: a → b → c → a');
    // The good pipeline is still listed beside the broken one.
    expect(list.stdout).toMatch(/^hello\s/m);
  });
});
