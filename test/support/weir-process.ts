import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import pg from "pg";
import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";
import { POSTGRES_URL } from "./servers.js";

/** The repository root (where `src/cli/main.ts` lives). */
export const ROOT = resolve(import.meta.dirname, "../..");

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
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
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
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}
