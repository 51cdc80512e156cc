import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, whatever the working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Where benchmarks keep generated data and scratch homes; never inside the repository. */
export const BENCH_DIR = path.join(process.env.WEIR_BENCH_DIR ?? "/tmp/weir-bench");

/**
 * The path of `customers_<rows>.csv` under the bench folder, generated with the shared
 * datagen (seeded, so the same rows every time) unless it is already there. Written to a
 * temporary name first, so an interrupted generation is never mistaken for a finished one.
 */
export function customersCsv(rows: number): string {
  const file = path.join(BENCH_DIR, `customers_${rows}.csv`);
  if (existsSync(file)) return file;
  mkdirSync(BENCH_DIR, { recursive: true });
  const datagen = path.resolve(REPO_ROOT, "../shared/datagen/datagen.mjs");
  const partial = `${file}.partial-${process.pid}`;
  execFileSync(process.execPath, [datagen, "customers", String(rows), partial], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  renameSync(partial, file);
  return file;
}
