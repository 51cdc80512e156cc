import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { messageOf, StreamError } from "../core/errors.js";
import { importUserModule } from "../orchestrator/load-pipeline.js";
import { isStreamJob, type StreamJobDefinition } from "./define-stream-job.js";

const STREAM_FILE = /\.stream\.(ts|mts|js|mjs)$/;

export interface StreamJobEntry {
  id: string;
  file: string;
  job: StreamJobDefinition;
}

/** `<dir>/stream.ts` for a folder, the path itself for a file. */
function jobFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  if (statSync(path).isDirectory())
    return existsSync(join(path, "stream.ts")) ? join(path, "stream.ts") : undefined;
  return path;
}

/**
 * Loads one stream job file (tsx, no build step): its default export or `job` must be a
 * `defineStreamJob(...)` result.
 */
export async function loadStreamJob(pathOrDir: string): Promise<StreamJobEntry> {
  const file = jobFile(resolve(pathOrDir));
  if (!file) {
    throw new StreamError(
      "STREAM_JOB_INVALID",
      `no stream job at ${resolve(pathOrDir)}: expected a file or a folder with stream.ts`,
      {
        details: { path: pathOrDir },
      },
    );
  }
  let module: Record<string, unknown>;
  try {
    module = await importUserModule(file);
  } catch (cause) {
    throw new StreamError("STREAM_JOB_INVALID", `cannot load stream job file ${file}: ${messageOf(cause)}`, {
      cause,
      details: { file },
    });
  }
  const job = isStreamJob(module.default) ? module.default : module.job;
  if (!isStreamJob(job)) {
    throw new StreamError(
      "STREAM_JOB_INVALID",
      `${file} does not export a stream job: expected \`export default defineStreamJob({...})\``,
      { details: { file } },
    );
  }
  return { id: job.id, file, job };
}

/** The stream job files under the configured locations: files, folders with stream.ts, folders of them. */
export function streamJobFiles(locations: readonly string[]): string[] {
  const files = new Set<string>();
  for (const location of locations) {
    if (!existsSync(location)) continue;
    const direct = jobFile(location);
    if (direct) {
      files.add(direct);
      continue;
    }
    for (const entry of readdirSync(location, { withFileTypes: true })) {
      const path = join(location, entry.name);
      if (entry.isDirectory() && existsSync(join(path, "stream.ts"))) files.add(join(path, "stream.ts"));
      else if (entry.isFile() && STREAM_FILE.test(entry.name)) files.add(path);
    }
  }
  return [...files].sort();
}

/**
 * A job by id (among the configured locations) or by path. Ids are looked up first, so a
 * folder named like a job does not shadow it.
 */
export async function findStreamJob(
  nameOrPath: string,
  locations: readonly string[],
): Promise<StreamJobEntry> {
  const candidates = streamJobFiles(locations);
  for (const file of candidates) {
    const entry = await loadStreamJob(file).catch(() => undefined);
    if (entry?.id === nameOrPath) return entry;
  }
  if (jobFile(resolve(nameOrPath))) return loadStreamJob(nameOrPath);
  throw new StreamError(
    "STREAM_JOB_INVALID",
    `no stream job "${nameOrPath}": not an id in ${locations.join(", ") || "(no stream folders configured)"} nor a path`,
    { details: { job: nameOrPath } },
  );
}
