import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPipeline, resolvePipelineFile } from "./load-pipeline.js";

const DEFINE = fileURLToPath(new URL("./define-pipeline.ts", import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-load-"));
  // A module-typed folder, as a user's project would be.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, body: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `import { definePipeline, defineTask } from ${JSON.stringify(DEFINE)};\n${body}`);
  return file;
}

describe("loadPipeline", () => {
  it("loads a TypeScript pipeline file without a build step", async () => {
    const file = write(
      "good.ts",
      `const a = defineTask({ id: "a", run: async (): Promise<number> => 1 });
       export default definePipeline({ id: "good", tasks: [a] });`,
    );
    const { pipeline, file: loaded } = await loadPipeline(file);
    expect(loaded).toBe(file);
    expect(pipeline.id).toBe("good");
    expect(pipeline.order).toEqual(["a"]);
  });

  it("loads <dir>/pipeline.ts for a folder and accepts a named `pipeline` export", async () => {
    write(
      "proj/pipeline.ts",
      `export const pipeline = definePipeline({ id: "named", tasks: [defineTask({ id: "x", run: async () => 0 })] });`,
    );
    expect((await loadPipeline(join(dir, "proj"))).pipeline.id).toBe("named");
  });

  it("reports a cycle in the file as PIPELINE_INVALID naming file and cycle", async () => {
    const file = write(
      "cycle.ts",
      `export default definePipeline({ id: "c", tasks: [
         defineTask({ id: "extract", dependsOn: ["land"], run: async () => 0 }),
         defineTask({ id: "land", dependsOn: ["extract"], run: async () => 0 }),
       ] });`,
    );
    const error = await loadPipeline(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PIPELINE_INVALID" });
    expect((error as Error).message).toBe(`${file}: pipeline "c" has a cycle: extract → land → extract`);
  });

  it("says what a file exports when it exports no pipeline", async () => {
    const file = write("none.ts", `export const answer = 42;`);
    await expect(loadPipeline(file)).rejects.toThrow(
      /does not export a pipeline: expected `export default definePipeline\(\{\.\.\.\}\)` \(it exports answer\)/,
    );
  });

  it("wraps a syntax error with the file name", async () => {
    const file = write("broken.ts", `export default definePipeline({ id: `);
    await expect(loadPipeline(file)).rejects.toMatchObject({ code: "PIPELINE_INVALID", details: { file } });
  });

  it("says PIPELINE_NOT_FOUND for a missing path or a folder without pipeline.ts", () => {
    expect(() => resolvePipelineFile(join(dir, "missing"))).toThrow(
      /no pipeline at .*missing: no such file or folder/,
    );
    mkdirSync(join(dir, "empty"), { recursive: true });
    expect(() => resolvePipelineFile(join(dir, "empty"))).toThrow(/folder .*empty has no pipeline.ts/);
  });
});

describe("loadPipeline outside an ES-module package", () => {
  it('loads a pipeline file whose folder has no package.json with "type": "module"', async () => {
    // Under the system temp folder: no package.json above it, so tsx compiles the .ts to CommonJS.
    const bare = mkdtempSync(join(tmpdir(), "weir-load-cjs-"));
    try {
      mkdirSync(join(bare, "a"));
      writeFileSync(
        join(bare, "a", "pipeline.ts"),
        `import { definePipeline, defineTask } from ${JSON.stringify(DEFINE)};
         export default definePipeline({ id: "cjs_default", tasks: [defineTask({ id: "t", run: async () => 0 })] });`,
      );
      expect((await loadPipeline(join(bare, "a"))).pipeline.id).toBe("cjs_default");
      mkdirSync(join(bare, "b"));
      writeFileSync(join(bare, "b", "package.json"), JSON.stringify({ name: "data" }));
      writeFileSync(
        join(bare, "b", "pipeline.ts"),
        `import { definePipeline, defineTask } from ${JSON.stringify(DEFINE)};
         export const pipeline = definePipeline({ id: "cjs_named", tasks: [defineTask({ id: "t", run: async () => 0 })] });`,
      );
      expect((await loadPipeline(join(bare, "b"))).pipeline.id).toBe("cjs_named");
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
