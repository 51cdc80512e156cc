import { readFileSync } from "node:fs";

/** The version in weir's package.json (the same relative path from src/cli/ and dist/cli/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "unknown";
}
