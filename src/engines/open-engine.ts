import { ConfigError } from "../core/errors.js";
import type { Engine } from "./engine.js";

/** Options that apply when the URL names a DuckDB database. */
export interface OpenEngineOptions {
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

/**
 * Opens an engine from a URL. The engine's client library is imported only when needed,
 * so loading weir stays fast.
 *
 * - `duckdb:` or `:memory:` → DuckDB in memory; `duckdb:/path/file.duckdb` or
 *   `duckdb:relative/file.duckdb` → a DuckDB file;
 * - `postgres://…` or `postgresql://…` → PostgreSQL.
 *
 * @example
 * const engine = await openEngine("duckdb:.weir/warehouse.duckdb");
 */
export async function openEngine(url: string, options: OpenEngineOptions = {}): Promise<Engine> {
  const trimmed = url.trim();
  if (trimmed === ":memory:" || trimmed.startsWith("duckdb:")) {
    const rest = trimmed === ":memory:" ? "" : trimmed.slice("duckdb:".length).replace(/^\/\/(?=\/)/, "");
    const { DuckDBEngine } = await import("./duckdb/duckdb-engine.js");
    return DuckDBEngine.create({
      path: rest === "" || rest === ":memory:" ? ":memory:" : rest,
      ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.tempDirectory ? { tempDirectory: options.tempDirectory } : {}),
    });
  }
  if (/^postgres(ql)?:\/\//.test(trimmed)) {
    const { PostgresEngine } = await import("./postgres/postgres-engine.js");
    return PostgresEngine.create({
      url: trimmed,
      ...(options.poolSize ? { poolSize: options.poolSize } : {}),
    });
  }
  throw new ConfigError(
    `cannot open engine ${JSON.stringify(redact(trimmed))}: expected "duckdb:", "duckdb:/path/file.duckdb", ":memory:" or "postgres://user@host:port/db"`,
  );
}

/** Hides a password that may sit in a URL, so it never reaches an error message. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
