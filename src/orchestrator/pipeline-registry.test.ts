import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PipelineRegistry } from "./pipeline-registry.js";

const DEFINE = fileURLToPath(new URL("./define-pipeline.ts", import.meta.url));
let dir: string;

function pipelineFile(path: string, id: string): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(
    join(dir, path),
    `import { definePipeline, defineTask } from ${JSON.stringify(DEFINE)};
     export default definePipeline({ id: ${JSON.stringify(id)}, tasks: [defineTask({ id: "t", run: async () => 0 })] });`,
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-registry-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  pipelineFile("pipelines/orders/pipeline.ts", "orders");
  pipelineFile("pipelines/renamed/pipeline.ts", "customers");
  pipelineFile("pipelines/clicks.pipeline.ts", "clicks");
  writeFileSync(join(dir, "pipelines", "helpers.ts"), "export const x = 1;"); // not a pipeline file
  mkdirSync(join(dir, "pipelines", "notes"), { recursive: true }); // a folder without pipeline.ts
  pipelineFile("single/pipeline.ts", "single");
  pipelineFile("dupes/a/pipeline.ts", "same");
  pipelineFile("dupes/b/pipeline.ts", "same");
  mkdirSync(join(dir, "broken"), { recursive: true });
  writeFileSync(join(dir, "broken", "pipeline.ts"), "export default definePipeline({");
  cyclicFile("cycles/looped/pipeline.ts", "looped");
  cyclicFile("cycles/other-name.pipeline.ts", "renamed_cycle");
  pipelineFile("cycles/fine/pipeline.ts", "fine");
});

/** A pipeline whose tasks form a cycle a → b → c → a: definePipeline throws while the file loads. */
function cyclicFile(path: string, id: string): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(
    join(dir, path),
    `import { definePipeline, defineTask } from ${JSON.stringify(DEFINE)};
     export default definePipeline({ id: ${JSON.stringify(id)}, tasks: [
       defineTask({ id: "a", dependsOn: ["c"], run: async () => 0 }),
       defineTask({ id: "b", dependsOn: ["a"], run: async () => 0 }),
       defineTask({ id: "c", dependsOn: ["b"], run: async () => 0 }),
     ] });`,
  );
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PipelineRegistry", () => {
  it("finds pipeline folders, *.pipeline.ts files and single pipelines, without loading them", () => {
    const registry = new PipelineRegistry(["pipelines", "single", "missing"], { cwd: dir });
    expect(registry.files().map((f) => f.slice(dir.length + 1))).toEqual([
      "pipelines/clicks.pipeline.ts",
      "pipelines/orders/pipeline.ts",
      "pipelines/renamed/pipeline.ts",
      "single/pipeline.ts",
    ]);
  });

  it("gets a pipeline by id (whatever its folder is called) or by path", async () => {
    const registry = new PipelineRegistry(["pipelines"], { cwd: dir });
    expect((await registry.get("orders")).file).toBe(join(dir, "pipelines/orders/pipeline.ts"));
    expect((await registry.get("customers")).file).toBe(join(dir, "pipelines/renamed/pipeline.ts"));
    expect((await registry.get("pipelines/clicks.pipeline.ts")).id).toBe("clicks");
    expect((await registry.get(join(dir, "single"))).id).toBe("single"); // a path outside the locations
  });

  it("names the known pipelines when an id is unknown, and says PIPELINE_NOT_FOUND for a missing path", async () => {
    const registry = new PipelineRegistry(["pipelines"], { cwd: dir });
    await expect(registry.get("nope")).rejects.toMatchObject({
      code: "PIPELINE_NOT_FOUND",
      message: 'no pipeline named "nope" in pipelines; known pipelines: clicks, customers, orders',
    });
    await expect(registry.get("pipelines/nope.ts")).rejects.toMatchObject({ code: "PIPELINE_NOT_FOUND" });
    await expect(new PipelineRegistry([], { cwd: dir }).get("orders")).rejects.toThrow(
      /no weir\.config\.ts lists where pipelines live; pass a file or folder/,
    );
  });

  it("lists load failures and duplicate ids instead of throwing", async () => {
    const registry = new PipelineRegistry(["dupes/a", "dupes/b", "broken", "single"], { cwd: dir });
    const { pipelines, failures } = await registry.list();
    expect(pipelines.map((p) => p.id)).toEqual(["single"]);
    expect(failures.map((f) => [f.file.slice(dir.length + 1), f.error.code])).toEqual([
      ["broken/pipeline.ts", "PIPELINE_INVALID"],
      ["dupes/a/pipeline.ts", "PIPELINE_INVALID"],
      ["dupes/b/pipeline.ts", "PIPELINE_INVALID"],
    ]);
    expect(failures[1]!.error.message).toBe(
      'pipeline id "same" is defined by more than one file: dupes/a/pipeline.ts, dupes/b/pipeline.ts',
    );
    await expect(registry.get("same")).rejects.toThrow(/defined by more than one file/);
  });

  it("gets a pipeline whose file fails to load as that failure (a cycle), not as an unknown id", async () => {
    const registry = new PipelineRegistry(["cycles"], { cwd: dir });
    const file = join(dir, "cycles/looped/pipeline.ts");
    // The folder is named after the pipeline: its failure is the answer.
    await expect(registry.get("looped")).rejects.toMatchObject({
      code: "PIPELINE_INVALID",
      message: `${file}: pipeline "looped" has a cycle: a → b → c → a`,
      details: expect.objectContaining({ file, cycle: ["a", "b", "c", "a"] }),
    });
    // Whatever the file is called: the id it failed with names it.
    await expect(registry.get("renamed_cycle")).rejects.toMatchObject({
      code: "PIPELINE_INVALID",
      message: expect.stringContaining('pipeline "renamed_cycle" has a cycle: a → b → c → a'),
    });
    expect((await registry.get("fine")).id).toBe("fine");
    // An id no file has is still not found, and the message says files failed to load.
    await expect(registry.get("nope")).rejects.toMatchObject({
      code: "PIPELINE_NOT_FOUND",
      message: expect.stringContaining("2 file(s) failed to load"),
    });
  });
});
