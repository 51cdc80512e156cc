import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./customers-csv.js";

/** A `weir worker` process the bench started. */
export interface BenchWorker {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
}

export interface WorkerFleetOptions {
  /** `WEIR_CONFIG` of the bench project. */
  config: string;
  count: number;
  concurrency: number;
  /** Each worker's output also goes to `<logDir>/worker-<pid>.log` (kept for a stalled run's post-mortem). */
  logDir: string;
  /** How long a worker may take to start (tsx compiling weir's CLI); default 60 s. */
  startTimeoutMs?: number;
}

/**
 * Starts `count` real `weir worker` processes (the CLI from source through tsx, as a user
 * would run them, one Node process each) and resolves once each has printed that it takes
 * jobs. Every process started is pushed to `started` at once, so the caller can kill what
 * is left even when a start fails.
 */
export async function startWorkerFleet(
  o: WorkerFleetOptions,
  started: BenchWorker[],
): Promise<BenchWorker[]> {
  const fleet: BenchWorker[] = [];
  for (let i = 0; i < o.count; i++) {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "worker",
        "--name",
        `bench-${i + 1}`,
        "--concurrency",
        String(o.concurrency),
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, WEIR_CONFIG: o.config, WEIR_EXECUTOR: "distributed", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    const logFile = join(o.logDir, `worker-${child.pid}.log`);
    const collect = (c: Buffer) => {
      out += c.toString();
      appendFileSync(logFile, c);
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    const worker: BenchWorker = { child, pid: child.pid!, output: () => out, exited };
    started.push(worker);
    fleet.push(worker);
  }
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  for (const worker of fleet) {
    while (!worker.output().includes(" on queues ")) {
      if (hasExited(worker) || Date.now() > deadline) {
        throw new Error(`weir worker ${worker.pid} did not start:\n${worker.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return fleet;
}

/**
 * SIGTERM (drain: nothing runs between runs, so they exit at once), SIGKILL after
 * `graceMs`; returns the exit codes (null: killed). Only the given processes are signalled.
 */
export async function stopWorkerFleet(
  fleet: readonly BenchWorker[],
  graceMs = 10_000,
): Promise<(number | null)[]> {
  for (const worker of fleet) if (!hasExited(worker)) worker.child.kill("SIGTERM");
  return Promise.all(
    fleet.map(async (worker) => {
      if (hasExited(worker)) return worker.child.exitCode;
      const timer = setTimeout(() => worker.child.kill("SIGKILL"), graceMs);
      try {
        return await worker.exited;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

function hasExited(worker: BenchWorker): boolean {
  return worker.child.exitCode !== null || worker.child.signalCode !== null;
}
