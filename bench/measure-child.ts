import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { REPO_ROOT } from "./customers-csv.js";

/** What a bench child prints as its last stdout line (JSON), plus what the parent measured. */
export interface ChildMeasurement<R> {
  /** The child's own report. */
  report: R;
  /** Seconds from spawn to exit, Node start-up and module loading included. */
  processSeconds: number;
  /** Peak resident set size of the child, in MiB. */
  peakRssMiB: number;
  /** Where the peak came from: GNU time's maximum RSS, or the child's own resourceUsage(). */
  rssSource: "time -v" | "resourceUsage";
}

const TIME = "/usr/bin/time";

/**
 * Runs `node --import tsx <script> <args>` in a child process and measures it. Peak RSS is
 * taken from `/usr/bin/time -v` when it is installed (it sees every thread and native
 * allocation of the child), else from the `maxRssKiB` field the child reports from
 * `process.resourceUsage()` at exit. The child must print one JSON object as its last
 * stdout line; stderr passes through so a failure shows its message.
 */
export async function measureChild<R extends { maxRssKiB?: number }>(
  script: string,
  args: readonly string[],
): Promise<ChildMeasurement<R>> {
  const useTime = existsSync(TIME);
  const node = [process.execPath, "--import", "tsx", script, ...args];
  const [command, ...argv] = useTime ? [TIME, "-v", ...node] : node;
  const started = process.hrtime.bigint();
  const child = spawn(command!, argv, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  const processSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // GNU time appends its report to stderr; keep the child's own part for error messages.
  const timeAt = useTime ? stderr.lastIndexOf("\tCommand being timed:") : -1;
  const childErr = timeAt >= 0 ? stderr.slice(0, timeAt) : stderr;
  if (code !== 0) {
    throw new Error(`${script} ${args.join(" ")} exited with ${code}:\n${childErr.trim() || stdout.trim()}`);
  }
  const last = stdout.trim().split("\n").pop() ?? "";
  let report: R;
  try {
    report = JSON.parse(last) as R;
  } catch {
    throw new Error(`${script} printed no JSON report; its output was:\n${stdout}\n${childErr}`);
  }
  const timed = useTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr.slice(timeAt)) : null;
  const kib = timed ? Number(timed[1]) : (report.maxRssKiB ?? Number.NaN);
  return {
    report,
    processSeconds,
    peakRssMiB: kib / 1024,
    rssSource: timed ? "time -v" : "resourceUsage",
  };
}
