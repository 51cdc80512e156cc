import { execFileSync } from "node:child_process";

const inCi = process.env.CI === "true";

/**
 * The path of a Prometheus tool (`promtool`, `prometheus`; Debian's `prometheus` package
 * has both), or undefined after printing why the tests that need it skip. With CI=true a
 * missing tool fails the run instead, as a missing server does (see `servers.ts`).
 */
export function prometheusTool(name: "promtool" | "prometheus"): string | undefined {
  try {
    return execFileSync("which", [name], { encoding: "utf8" }).trim() || undefined;
  } catch {
    const reason = `${name} is not installed (apt-get install prometheus)`;
    if (inCi) throw new Error(`${reason}; CI=true requires it`);
    console.warn(`skipping ${name} tests: ${reason}`);
    return undefined;
  }
}

export const promtool = prometheusTool("promtool");
export const prometheus = prometheusTool("prometheus");

/** Runs promtool with text on stdin or files; returns its exit status and output instead of throwing. */
export function runPromtool(args: readonly string[], input?: string): { status: number; output: string } {
  try {
    const output = execFileSync(promtool!, args, {
      encoding: "utf8",
      input,
      stdio: ["pipe", "pipe", "pipe"],
    });
    return { status: 0, output };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

/** `name{labels} value` lines of a Prometheus text exposition, keyed by series as written. */
export function parseExposition(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}
