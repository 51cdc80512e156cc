import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { PipelineError, WeirError } from "../core/errors.js";
import type { PipelineDefinition } from "./define-pipeline.js";
import { loadPipeline } from "./load-pipeline.js";

/** A pipeline the registry found and loaded. */
export interface PipelineEntry {
  id: string;
  /** The absolute path of its file. */
  file: string;
  pipeline: PipelineDefinition;
}

/** A file that should hold a pipeline but could not be loaded (syntax error, cycle, duplicate id…). */
export interface PipelineLoadFailure {
  file: string;
  error: WeirError;
}

export interface PipelineListing {
  pipelines: PipelineEntry[];
  failures: PipelineLoadFailure[];
}

const PIPELINE_FILE = /\.pipeline\.(ts|mts|js|mjs)$/;

/**
 * Finds the pipelines of a project: each configured location is a pipeline file, a folder
 * with a `pipeline.ts`, or a folder of pipelines — its sub-folders that hold a
 * `pipeline.ts` and its files named `*.pipeline.ts`. Files are loaded on demand (tsx, no
 * build step) and kept, so a long-running scheduler loads each once.
 *
 * @example
 * const registry = new PipelineRegistry(["/repo/examples"], { cwd: "/repo" });
 * const { pipeline } = await registry.get("customers");          // by id
 * const same = await registry.get("examples/customers");         // by path
 */
export class PipelineRegistry {
  private readonly loaded = new Map<string, Promise<PipelineEntry>>();
  private readonly cwd: string;

  constructor(
    private readonly locations: readonly string[],
    options: { cwd?: string } = {},
  ) {
    this.cwd = options.cwd ?? process.cwd();
  }

  /** The pipeline files under the configured locations, sorted; nothing is loaded. */
  files(): string[] {
    const files = new Set<string>();
    for (const location of this.locations) {
      const path = resolve(this.cwd, location);
      if (!existsSync(path)) continue;
      if (!statSync(path).isDirectory()) {
        files.add(path);
        continue;
      }
      if (existsSync(join(path, "pipeline.ts"))) {
        files.add(join(path, "pipeline.ts"));
        continue;
      }
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(join(path, entry.name, "pipeline.ts"))) {
          files.add(join(path, entry.name, "pipeline.ts"));
        } else if (entry.isFile() && PIPELINE_FILE.test(entry.name)) files.add(join(path, entry.name));
      }
    }
    return [...files].sort();
  }

  /** Loads every pipeline file; failures are listed, not thrown. Two files defining one id both fail. */
  async list(): Promise<PipelineListing> {
    const settled = await Promise.all(
      this.files().map(async (file) => {
        try {
          return { entry: await this.load(file) };
        } catch (error) {
          return { failure: { file, error: asWeirError(error, file) } };
        }
      }),
    );
    const pipelines: PipelineEntry[] = [];
    const failures: PipelineLoadFailure[] = [];
    const byId = new Map<string, PipelineEntry[]>();
    for (const s of settled) {
      if (s.failure) failures.push(s.failure);
      else byId.set(s.entry.id, [...(byId.get(s.entry.id) ?? []), s.entry]);
    }
    for (const [id, entries] of byId) {
      if (entries.length === 1) {
        pipelines.push(entries[0]!);
        continue;
      }
      const files = entries.map((e) => this.show(e.file));
      for (const entry of entries) {
        failures.push({
          file: entry.file,
          error: new PipelineError(
            "PIPELINE_INVALID",
            `pipeline id "${id}" is defined by more than one file: ${files.join(", ")}`,
            { details: { pipeline: id, files } },
          ),
        });
      }
    }
    pipelines.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { pipelines, failures };
  }

  /**
   * A pipeline by file or folder path (relative to the working directory) or by id.
   * An existing path wins over an id; an unknown id is PIPELINE_NOT_FOUND naming the ids
   * there are. A file that defines the id, or is named after it, but fails to load (a
   * cycle, a syntax error) throws its own PIPELINE_INVALID error naming the file.
   */
  async get(nameOrPath: string): Promise<PipelineEntry> {
    const path = resolve(this.cwd, nameOrPath);
    if (existsSync(path) || /[\\/]|\.(ts|mts|js|mjs)$/.test(nameOrPath)) {
      const { pipeline, file } = await loadPipeline(path);
      return { id: pipeline.id, file, pipeline };
    }
    // The usual layout names the folder after the pipeline: try that file alone first.
    for (const file of this.files()) {
      if (this.nameOfFile(file) !== nameOrPath) continue;
      const entry = await this.load(file).catch(() => undefined);
      if (entry?.id === nameOrPath) return entry;
    }
    const { pipelines, failures } = await this.list();
    const found = pipelines.find((p) => p.id === nameOrPath);
    if (found) return found;
    // A file that fails to load is not "not found": its error (a cycle, a syntax error) is
    // what the user must fix. It is the one if it failed defining this id (a cycle, a bad
    // option: definePipeline knew the id), or a duplicate of it, or is named after it.
    const failed =
      failures.find((f) => f.error.details.pipeline === nameOrPath) ??
      failures.find((f) => f.error.details.pipelineId === nameOrPath) ??
      failures.find((f) => this.nameOfFile(f.file) === nameOrPath);
    if (failed) throw failed.error;
    const known = pipelines.map((p) => p.id);
    const where =
      this.locations.length > 0 ? this.locations.map((l) => this.show(resolve(this.cwd, l))).join(", ") : "";
    throw new PipelineError(
      "PIPELINE_NOT_FOUND",
      `no pipeline named "${nameOrPath}"${where ? ` in ${where}` : " (no weir.config.ts lists where pipelines live; pass a file or folder)"}` +
        (known.length > 0 ? `; known pipelines: ${known.join(", ")}` : "") +
        (failures.length > 0 ? `; ${failures.length} file(s) failed to load (weir pipelines validate)` : ""),
      { details: { pipeline: nameOrPath, known } },
    );
  }

  private load(file: string): Promise<PipelineEntry> {
    let entry = this.loaded.get(file);
    if (!entry) {
      entry = loadPipeline(file).then(({ pipeline }) => ({ id: pipeline.id, file, pipeline }));
      this.loaded.set(file, entry);
    }
    return entry;
  }

  private nameOfFile(file: string): string {
    const base = file.replace(/[\\/]pipeline\.(ts|mts|js|mjs)$/, "").replace(PIPELINE_FILE, "");
    return base.split(/[\\/]/).pop() ?? base;
  }

  private show(file: string): string {
    const rel = relative(this.cwd, file);
    return rel.startsWith("..") ? file : rel;
  }
}

function asWeirError(error: unknown, file: string): WeirError {
  if (error instanceof WeirError) return error;
  const e = error as { code?: unknown; message?: unknown };
  return new PipelineError("PIPELINE_INVALID", `${file}: ${String(e?.message ?? error)}`, {
    cause: error,
    details: { file },
  });
}
