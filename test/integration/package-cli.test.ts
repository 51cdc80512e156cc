import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * weir as a user gets it: built, packed (`npm pack`), unpacked into a node_modules and run
 * from there — the published package's contents, `weir --version`, and a pipeline file
 * outside any project that says `import "weir"` (issue 10, friction items).
 */
const ROOT = resolve(import.meta.dirname, "../..");
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
let tmp: string;
let packed: string[] = [];
let installed: string;

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "weir-pkg-"));
  const stage = join(tmp, "stage");
  mkdirSync(stage);
  // The real build (type errors elsewhere do not stop tsc from emitting), into a staging copy
  // of the package, so the repository's own dist/ is left alone.
  run(
    process.execPath,
    [
      join(ROOT, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      join(stage, "dist"),
    ],
    ROOT,
  );
  if (!existsSync(join(stage, "dist/cli/main.js"))) throw new Error("the build produced no dist/cli/main.js");
  for (const f of ["package.json", "README.md", "examples"])
    cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  const list = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], stage);
  packed = (JSON.parse(list.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  const pack = run("npm", ["pack", "--ignore-scripts", "--pack-destination", tmp], stage);
  const tarball = join(tmp, pack.stdout.trim().split("\n").at(-1)!);
  installed = join(tmp, "app", "node_modules", "weir");
  mkdirSync(installed, { recursive: true });
  run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], tmp);
  // Its dependencies, as npm would install them next to it.
  symlinkSync(join(ROOT, "node_modules"), join(installed, "node_modules"));
}, 240_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const weir = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  run(process.execPath, [join(installed, "dist/cli/main.js"), ...args], cwd, env);

describe("the published package", () => {
  it("ships the build, the examples and the README, and no sources, tests or benchmarks", () => {
    expect(packed).toContain("dist/cli/main.js");
    expect(packed).toContain("dist/index.js");
    expect(packed).toContain("dist/index.d.ts");
    expect(packed).toContain("examples/customers/pipeline.ts");
    expect(packed).toContain("README.md");
    expect(packed).toContain("package.json");
    const stray = packed.filter((p) => /^(src|test|bench)\/|\.test\.|\.map$|tsconfig|biome/.test(p));
    expect(stray).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.private).toBeUndefined();
  });

  it("prints its version", () => {
    const r = weir(["--version"], tmp);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it.each([
    ["an ES module package", { type: "module" }],
    ["a folder without package.json (loaded as CommonJS)", undefined],
  ])("runs a pipeline outside any project that imports weir, in %s", (_what, packageJson) => {
    const dir = join(tmp, packageJson ? "outside-esm" : "outside-cjs");
    mkdirSync(dir, { recursive: true });
    if (packageJson) writeFileSync(join(dir, "package.json"), JSON.stringify(packageJson));
    writeFileSync(
      join(dir, "pipeline.ts"),
      `import { definePipeline, defineTask, formatDate } from "weir";
       export default definePipeline({ id: "outside", tasks: [defineTask({ id: "t", run: async (ctx) => formatDate(ctx.logicalDate) })] });`,
    );
    const r = weir(["run", join(dir, "pipeline.ts"), "--date", "2024-01-15", "--json"], dir, {
      WEIR_HOME: join(dir, "home"),
    });
    expect(r.stderr).not.toContain("Cannot find");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pipeline: "outside", state: "succeeded" });
  });
});
