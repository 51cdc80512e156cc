import { join, resolve } from "node:path";

/**
 * Where weir keeps its embedded state. Everything lives under one home folder
 * (`WEIR_HOME`, else `.weir/` in the working directory; the CLI sets `WEIR_HOME` to the
 * project's home, see `cli/cli-home.ts`), so a project is self-contained and deleting the
 * folder resets it.
 */
export interface WeirPaths {
  home: string;
  warehouse: string;
  metadata: string;
  lake: string;
  tmp: string;
}

export function weirPaths(home = process.env.WEIR_HOME || ".weir"): WeirPaths {
  const root = resolve(home);
  return {
    home: root,
    warehouse: join(root, "warehouse.duckdb"),
    metadata: join(root, "weir.db"),
    lake: join(root, "lake"),
    tmp: join(root, "tmp"),
  };
}
