import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { PipelineDefinition } from "../define-pipeline.js";
import { type LoadedPipeline, loadPipeline, resolvePipelineFile } from "../load-pipeline.js";
import type { PipelineRegistry } from "../pipeline-registry.js";
import type { RemoteJob } from "./queue-job.js";

interface CachedFile {
  mtimeMs: number;
  loaded: Promise<LoadedPipeline>;
}

/**
 * The pipelines a `weir worker` runs jobs of, loaded once per file: importing a pipeline
 * file goes through tsx's `tsImport`, which compiles it and registers a new loader
 * namespace on every call (45–250 ms and ~1.7 MB each), so loading it per job made a
 * no-op attempt cost ~100 ms on the worker and grew its memory without bound. The cache is
 * keyed by the file's absolute path and its modification time: a file edited on the
 * worker's host is loaded again by the next job (the old module stays in memory: tsx cannot
 * unload it). A failed load is not kept, so the next job tries again.
 *
 * @example
 * const pipelines = new WorkerPipelines(registry);
 * const pipeline = await pipelines.of(job);
 */
export class WorkerPipelines {
  private readonly byFile = new Map<string, CachedFile>();
  /** Loads (from the file) done so far: what the cache saves shows here. */
  loads = 0;

  constructor(
    private readonly registry: Pick<PipelineRegistry, "get">,
    private readonly cwd: string = process.cwd(),
  ) {}

  /** The job's pipeline: from the file the owner loaded when it is here and defines that id, else by id. */
  async of(job: RemoteJob): Promise<PipelineDefinition> {
    if (job.pipelineFile) {
      const byFile = await this.load(job.pipelineFile).catch(() => undefined);
      if (byFile?.pipeline.id === job.pipeline) return byFile.pipeline;
    }
    // By id the registry keeps what it loaded (a long-running worker loads each once).
    return (await this.registry.get(job.pipeline)).pipeline;
  }

  /** The pipeline in `path` (a file or a folder with `pipeline.ts`), loaded again only when the file changed. */
  async load(path: string): Promise<LoadedPipeline> {
    const file = resolvePipelineFile(resolve(this.cwd, path));
    const mtimeMs = statSync(file).mtimeMs;
    const cached = this.byFile.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.loaded;
    this.loads++;
    const loaded = loadPipeline(file);
    const entry: CachedFile = { mtimeMs, loaded };
    this.byFile.set(file, entry);
    loaded.catch(() => {
      if (this.byFile.get(file) === entry) this.byFile.delete(file);
    });
    return loaded;
  }
}
