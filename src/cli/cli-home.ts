import { existsSync } from "node:fs";
import type { ProjectConfig } from "../config/project-config.js";
import { ConfigError } from "../core/errors.js";

/**
 * Where the commands of one project keep their state, whatever folder they run in — one
 * rule for every command (`loadCliProject` applies it): `--home` / `WEIR_HOME` when given;
 * else the `home` of the nearest `weir.config.ts` (from the working directory up), or the
 * `.weir` next to it; without a config, `./.weir`.
 *
 * Commands that only read (`runs`, `logs`, `lake ls`, `sql`, `check` of a table,
 * `profile`, `check --history`) never create a home: they call `requireHome` first.
 */
export function homeExists(config: ProjectConfig): boolean {
  return existsSync(config.home);
}

/** The metadata store is elsewhere (PostgreSQL), or its SQLite file exists. */
export function storeExists(config: ProjectConfig): boolean {
  const url = config.metadataUrl;
  if (url === undefined) return existsSync(`${config.home}/weir.db`);
  if (/^postgres(ql)?:\/\//i.test(url) || url === ":memory:") return true;
  return existsSync(url.replace(/^sqlite:(\/\/)?/i, ""));
}

/** Throws the "no weir home" error unless the home exists. */
export function requireHome(config: ProjectConfig): void {
  if (!homeExists(config)) throw noHomeError(config);
}

/** Throws the "no weir home" error unless the metadata store can be opened without creating it. */
export function requireStore(config: ProjectConfig): void {
  if (!storeExists(config)) throw noHomeError(config);
}

/** "no weir home at /p/.weir (the home of /p/weir.config.ts): run a pipeline first, or pass --home". */
export function noHomeError(config: ProjectConfig): ConfigError {
  const whose = config.file ? ` (the home of ${config.file})` : " (no weir.config.ts above this folder)";
  return new ConfigError(
    `no weir home at ${config.home}${whose}: nothing has run there yet. Run a pipeline first, or pass --home <dir> (or set WEIR_HOME) to read another home`,
    { details: { home: config.home, ...(config.file ? { config: config.file } : {}) } },
  );
}

/** A `check`/`profile` target that names a file (or a glob of files), not a table or lake dataset. */
export function isFileTarget(target: string): boolean {
  return existsSync(target) || /[*?]/.test(target);
}
