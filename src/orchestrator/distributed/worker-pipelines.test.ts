import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePipeline, defineTask, type PipelineDefinition } from "../define-pipeline.js";
import type { RemoteJob } from "./queue-job.js";
import { WorkerPipelines } from "./worker-pipelines.js";

const DEFINE = fileURLToPath(new URL("../define-pipeline.ts", import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-worker-pipelines-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writePipeline(file: string, id: string, taskId: string, mtime: Date): void {
  writeFileSync(
    file,
    `import { definePipeline, defineTask } from ${JSON.stringify(DEFINE)};
     export default definePipeline({ id: ${JSON.stringify(id)}, tasks: [defineTask({ id: ${JSON.stringify(taskId)}, run: async () => 1 })] });`,
  );
  utimesSync(file, mtime, mtime);
}

function jobOf(pipeline: string, pipelineFile?: string): RemoteJob {
  return {
    runId: "r",
    pipeline,
    ...(pipelineFile ? { pipelineFile } : {}),
    taskId: "a",
    mapIndex: -1,
    attempt: 1,
    queue: "default",
  };
}

describe("WorkerPipelines", () => {
  it("imports a pipeline file once for many jobs, and again only after the file changed", async () => {
    const file = join(dir, "cached.pipeline.ts");
    writePipeline(file, "cached", "first", new Date("2024-01-01T00:00:00Z"));
    const byId: string[] = [];
    const pipelines = new WorkerPipelines({
      get: async (id) => {
        byId.push(id);
        throw new Error("not by id");
      },
    });
    const first = await pipelines.of(jobOf("cached", file));
    for (let i = 0; i < 5; i++) expect(await pipelines.of(jobOf("cached", file))).toBe(first);
    expect(pipelines.loads).toBe(1);
    expect(first.tasks.map((t) => t.id)).toEqual(["first"]);
    // Edited on the worker's host (a new modification time): the next job loads the new code.
    writePipeline(file, "cached", "second", new Date("2024-01-02T00:00:00Z"));
    const edited = await pipelines.of(jobOf("cached", file));
    expect(pipelines.loads).toBe(2);
    expect(edited.tasks.map((t) => t.id)).toEqual(["second"]);
    expect(await pipelines.of(jobOf("cached", file))).toBe(edited);
    expect(byId).toEqual([]);
  });

  it("falls back to the registry by id when the file is missing, defines another id or fails to load", async () => {
    const fromRegistry: PipelineDefinition = definePipeline({
      id: "wanted",
      tasks: [defineTask({ id: "x", run: async () => 0 })],
    });
    const byId: string[] = [];
    const pipelines = new WorkerPipelines({
      get: async (id) => {
        byId.push(id);
        return { id, file: "/elsewhere/pipeline.ts", pipeline: fromRegistry };
      },
    });
    const other = join(dir, "other.pipeline.ts");
    writePipeline(other, "other", "y", new Date("2024-01-01T00:00:00Z"));
    const broken = join(dir, "broken.pipeline.ts");
    writeFileSync(broken, "export default definePipeline({ id: ");
    expect(await pipelines.of(jobOf("wanted", join(dir, "missing.pipeline.ts")))).toBe(fromRegistry);
    expect(await pipelines.of(jobOf("wanted", other))).toBe(fromRegistry);
    expect(await pipelines.of(jobOf("wanted", broken))).toBe(fromRegistry);
    expect(await pipelines.of(jobOf("wanted"))).toBe(fromRegistry);
    expect(byId).toEqual(["wanted", "wanted", "wanted", "wanted"]);
    // A failed load is not kept: the next job tries the file again.
    await pipelines.of(jobOf("wanted", broken));
    expect(pipelines.loads).toBe(3);
  });
});
