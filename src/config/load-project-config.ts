import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError, messageOf } from "../core/errors.js";
import { importUserModule } from "../orchestrator/load-pipeline.js";
import { commonJsHint } from "../orchestrator/module-format.js";
import { defaultProjectConfig, type ProjectConfig, resolveProjectConfig } from "./project-config.js";

/** The file names a project config may have, in the order they are looked for. */
export const CONFIG_FILES = ["weir.config.ts", "weir.config.mts", "weir.config.js", "weir.config.mjs"];

/**
 * The project config file for `cwd`: `WEIR_CONFIG` when set, else the first
 * `weir.config.{ts,mts,js,mjs}` in `cwd` or the nearest folder above it.
 */
export function findProjectConfig(cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.WEIR_CONFIG) {
    const file = resolve(cwd, env.WEIR_CONFIG);
    if (!existsSync(file)) {
      throw new ConfigError(`WEIR_CONFIG points at ${file}, which does not exist`, { details: { file } });
    }
    return file;
  }
  for (let dir = resolve(cwd); ; ) {
    for (const name of CONFIG_FILES) {
      const file = join(dir, name);
      if (existsSync(file)) return file;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads and validates the project config (`weir.config.ts`, TypeScript loaded without a
 * build step) that applies to `cwd`. Without one, pipelines are taken by path only and
 * everything else has its default.
 *
 * @example
 * const config = await loadProjectConfig(process.cwd());
 * config.pipelines; // ["/repo/examples"]
 */
export async function loadProjectConfig(
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProjectConfig> {
  const file = findProjectConfig(cwd, env);
  if (!file) return defaultProjectConfig(resolve(cwd), env);
  let module: Record<string, unknown>;
  try {
    module = await importUserModule(file);
  } catch (cause) {
    const hint = commonJsHint(file, messageOf(cause));
    throw new ConfigError(
      `cannot load the project config ${file}: ${messageOf(cause)}${hint ? `\n${hint}` : ""}`,
      { cause, details: { file } },
    );
  }
  if (module.default === undefined) {
    throw new ConfigError(
      `${file} has no default export: expected \`export default defineConfig({ pipelines: [...] })\``,
      { details: { file } },
    );
  }
  return resolveProjectConfig(module.default, { root: dirname(file), file, env });
}
