import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import pg from "pg";
import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";

/** The repository root (where `src/cli/main.ts` lives). */
export const ROOT = resolve(import.meta.dirname, "../..");

/** `node` arguments that run the CLI from source with tsx (relative to {@link ROOT}). */
const WEIR_CLI = ["--import", "tsx", "src/cli/main.ts"] as const;

/** A `weir …` command running in its own process. */
export interface WeirProcess {
  child: ChildProcess;
  /** stdout so far. */
  stdout(): string;
  /** stderr so far. */
  stderr(): string;
  /** The exit code; null when a signal killed it. */
  exited: Promise<number | null>;
}

/**
 * Starts `weir <args>` with tsx (no build), the colours off and `env` on top of the
 * test's environment. Every process started is recorded in `started`, so a test file can
 * SIGKILL what is left in its `afterAll`.
 */
export function spawnWeir(args: readonly string[], env: Record<string, string>, started?: ChildProcess[]) {
  const child = spawn(process.execPath, [...WEIR_CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started?.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const process_: WeirProcess = { child, stdout: () => out, stderr: () => err, exited };
  return process_;
}

/** What a finished `weir …` printed, and its exit code (null when a signal killed it). */
export interface WeirResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `weir <args>` as {@link spawnWeir} starts it and waits for it to exit. */
export async function runWeir(
  args: readonly string[],
  env: Record<string, string>,
  started?: ChildProcess[],
): Promise<WeirResult> {
  const p = spawnWeir(args, env, started);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/**
 * Runs `weir <args>` synchronously (`spawnSync`): tsx, from {@link ROOT}, the colours off and
 * `env` on top of the test's environment. `status` is null when a signal killed it.
 */
export function runWeirSync(
  args: readonly string[],
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...WEIR_CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Polls `condition` every 25 ms until it holds; throws after `ms`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Opens the metadata store at `url` (a SQLite path or a postgres URL), runs `fn`, closes it. */
export async function withStore<T>(url: string, fn: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = await openMetadataStore(url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Drops PostgreSQL schemas a test created. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  // Imported here, not at the top: servers.js checks at import that PostgreSQL answers (and
  // fails with CI=true when it does not), which tests that only spawn weir must not depend on.
  const { POSTGRES_URL } = await import("./servers.js");
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}
