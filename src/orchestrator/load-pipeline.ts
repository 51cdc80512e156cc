import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { messageOf, PipelineError } from "../core/errors.js";
import { isPipelineDefinition, type PipelineDefinition } from "./define-pipeline.js";
import { commonJsHint, esModuleExports } from "./module-format.js";
import { resolveWeirToSelf } from "./weir-self-import.js";

export interface LoadedPipeline {
  pipeline: PipelineDefinition;
  /** The absolute path of the file that was loaded. */
  file: string;
}

/**
 * Loads a user's pipeline file (`.ts` or `.js`) at run time, compiling TypeScript on the
 * fly with tsx (no build step). A folder means `<dir>/pipeline.ts`. The file must export
 * the `definePipeline(...)` result as its default export or as `pipeline`.
 *
 * @example
 * const { pipeline } = await loadPipeline("examples/customers");
 */
export async function loadPipeline(pathOrDir: string): Promise<LoadedPipeline> {
  const file = resolvePipelineFile(pathOrDir);
  let module: Record<string, unknown>;
  try {
    module = await importUserModule(file);
  } catch (cause) {
    // A pipeline that is invalid at definition time (a cycle, say) throws while loading: keep its code.
    if (
      typeof (cause as { code?: unknown })?.code === "string" &&
      (cause as { code: string }).code === "PIPELINE_INVALID"
    ) {
      throw new PipelineError("PIPELINE_INVALID", `${file}: ${messageOf(cause)}`, {
        cause,
        details: { file, ...((cause as { details?: Record<string, unknown> }).details ?? {}) },
      });
    }
    const hint = commonJsHint(file, messageOf(cause));
    throw new PipelineError(
      "PIPELINE_INVALID",
      `cannot load pipeline file ${file}: ${messageOf(cause)}${hint ? `\n${hint}` : ""}`,
      { cause, details: { file } },
    );
  }
  const candidate = isPipelineDefinition(module.default) ? module.default : module.pipeline;
  if (!isPipelineDefinition(candidate)) {
    const exported = Object.keys(module).join(", ") || "nothing";
    throw new PipelineError(
      "PIPELINE_INVALID",
      `${file} does not export a pipeline: expected \`export default definePipeline({...})\` (it exports ${exported})`,
      { details: { file } },
    );
  }
  return { pipeline: candidate, file };
}

/**
 * Imports a user's `.ts`/`.js` module with tsx, no build step, and returns its exports
 * whether it was loaded as an ES module or as CommonJS. Used for pipeline files, the
 * project config and the example's seed script. `import "weir"` in them is the running
 * weir, wherever the file is (see `resolveWeirToSelf`).
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  resolveWeirToSelf();
  // Imported lazily: tsx's loader is only needed when a user file is actually loaded.
  const { tsImport } = await import("tsx/esm/api");
  const namespace = (await tsImport(pathToFileURL(resolve(file)).href, import.meta.url)) as Record<
    string,
    unknown
  >;
  return esModuleExports(namespace);
}

/** `<dir>/pipeline.ts` for a folder, the path itself for a file; PIPELINE_NOT_FOUND otherwise. */
export function resolvePipelineFile(pathOrDir: string): string {
  const path = resolve(pathOrDir);
  if (!existsSync(path)) {
    throw new PipelineError("PIPELINE_NOT_FOUND", `no pipeline at ${path}: no such file or folder`, {
      details: { path },
    });
  }
  if (!statSync(path).isDirectory()) return path;
  const file = join(path, "pipeline.ts");
  if (!existsSync(file)) {
    throw new PipelineError("PIPELINE_NOT_FOUND", `folder ${path} has no pipeline.ts`, {
      details: { path: file },
    });
  }
  return file;
}
