import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `weir run` when things go wrong underneath it, each command in its own process: a task
 * that ignores its timeout and holds a timer (the process must still exit), and the
 * metadata store's disk filling up during a run (exit 6 naming the file; the next command
 * recovers the run).
 */
const ROOT = resolve(import.meta.dirname, "../..");
const DEFINE = JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"));
let dir: string;
const started: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-faults-cli-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "weir.config.ts"), `export default { pipelines: ["pipelines"], home: "home" };`);
  pipeline(
    "stubborn",
    `import { appendFileSync } from "node:fs";
     export default definePipeline({ id: "stubborn", timeout: "1s", timeoutGrace: "1s", retries: 2, retryDelay: 0, tasks: [
       defineTask({ id: "hold", run: async (ctx) => {
         appendFileSync(${JSON.stringify(join(dir, "attempts.log"))}, \`attempt \${ctx.attempt}\\n\`);
         // Ignores ctx.signal and keeps the event loop busy forever.
         setInterval(() => undefined, 200);
         return new Promise(() => {});
       } }),
     ] });`,
  );
  pipeline(
    "sleeper",
    `import { writeFileSync } from "node:fs";
     export default definePipeline({ id: "sleeper", timeoutGrace: "1s", tasks: [
       defineTask({ id: "hold", run: async () => {
         setInterval(() => undefined, 200);
         writeFileSync(${JSON.stringify(join(dir, "sleeper-started"))}, "yes");
         return new Promise(() => {});
       } }),
     ] });`,
  );
  pipeline(
    "pagelimit",
    `import { writeFileSync } from "node:fs";
     export default definePipeline({ id: "pagelimit", tasks: [
       defineTask({ id: "first", run: async () => 1 }),
       defineTask({ id: "fill", dependsOn: ["first"], run: async (ctx) => {
         writeFileSync(${JSON.stringify(join(dir, "pagelimit-run"))}, ctx.runId);
         if (ctx.attempt === 1) {
           // The store's disk is full from here on, for this process (SQLite's page limit).
           const db = (ctx.metadata as any).sql.db;
           db.pragma("max_page_count = " + db.pragma("page_count", { simple: true }));
           ctx.logger.info("x".repeat(64 * 1024));
         }
         return "filled";
       } }),
     ] });`,
  );
  pipeline(
    "filldisk",
    `import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
     export default definePipeline({ id: "filldisk", retries: 1, retryDelay: 0, tasks: [
       defineTask({ id: "first", run: async () => 1 }),
       defineTask({ id: "fill", dependsOn: ["first"], run: async (ctx) => {
         writeFileSync(process.env.RUN_ID_FILE, ctx.runId);
         if (ctx.attempt > 1) return "again";
         // Another program fills the disk the store lives on.
         const fd = openSync(process.env.FILLER, "w");
         try { for (;;) writeSync(fd, Buffer.alloc(64 * 1024, 1)); } catch {} finally { closeSync(fd); }
         return "filled";
       } }),
     ] });`,
  );
});
afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function pipeline(id: string, body: string): void {
  mkdirSync(join(dir, "pipelines", id), { recursive: true });
  writeFileSync(
    join(dir, "pipelines", id, "pipeline.ts"),
    `import { definePipeline, defineTask } from ${DEFINE};\n${body}`,
  );
}

interface Exit {
  status: number | null;
  stdout: string;
  stderr: string;
  /** False when the process had not exited by itself within the bound and was killed. */
  exitedByItself: boolean;
}

/** Runs `weir …`, killing it if it has not exited by itself within `boundMs`. */
function weir(
  args: string[],
  env: Record<string, string> = {},
  boundMs = 45_000,
  onStart: (child: ChildProcess) => void = () => undefined,
): Promise<Exit> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        WEIR_CONFIG: join(dir, "weir.config.ts"),
        WEIR_HOME: "",
        FORCE_COLOR: "0",
        NO_COLOR: "1",
        ...env,
      },
    });
    started.push(child);
    onStart(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    let killed = false;
    const bound = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, boundMs);
    child.on("close", (status) => {
      clearTimeout(bound);
      done({ status, stdout, stderr, exitedByItself: !killed });
    });
  });
}

describe("weir run with a task that ignores its timeout", () => {
  it("exits once the run is decided, and never starts a retry beside the stuck attempt", async () => {
    const r = await weir(["run", "stubborn", "--date", "2024-01-15"]);
    expect(r.exitedByItself, r.stderr).toBe(true);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'error [TASK_FAILED]: task "hold" failed: timed out after 1s, and the task was still running 1s after its signal was aborted; not retried, so that no retry runs beside it',
    );
    expect(readFileSync(join(dir, "attempts.log"), "utf8")).toBe("attempt 1\n");
  }, 90_000);

  it("exits 130 after Ctrl-C once the stuck task's grace has passed, leaving the run to `weir retry`", async () => {
    const r = await weir(["run", "sleeper", "--date", "2024-01-15"], {}, 45_000, (child) => {
      const poll = setInterval(() => {
        if (!existsSync(join(dir, "sleeper-started"))) return;
        clearInterval(poll);
        child.kill("SIGINT");
      }, 50);
      child.once("close", () => clearInterval(poll));
    });
    expect(r.exitedByItself, r.stderr).toBe(true);
    expect(r.status).toBe(130);
    expect(r.stderr).toMatch(
      /run run_\w+ interrupted \(stored as queued: no process runs it\); continue it with: weir retry run_\w+/,
    );
  }, 90_000);
});

describe("weir run when the metadata store's disk fills up", () => {
  it("exits 6 naming the file and the full disk; the next `weir retry` continues the run", async () => {
    const store = join(dir, "pagelimit.db");
    const env = { WEIR_METADATA_URL: store };
    const r = await weir(["run", "pagelimit", "--date", "2024-01-15"], env);
    expect(r.status, r.stderr).toBe(6);
    const runId = readFileSync(join(dir, "pagelimit-run"), "utf8");
    expect(r.stderr).toContain(
      `error [METADATA_FAILED]: run ${runId} of pipeline "pagelimit" stopped: metadata store ${store}: database or disk is full (SQLITE_FULL): the disk is full`,
    );
    expect(r.stderr).toContain(`continue it with \`weir retry ${runId}\` once the store can be written`);
    expect(r.stderr).not.toContain("INTERNAL");
    // A new process: the store has room again.
    const retry = await weir(["retry", runId, "--json"], env);
    expect(retry.status, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({
      runId,
      state: "succeeded",
      tasks: [
        { id: "first", attempts: 1 },
        { id: "fill", attempts: 2 },
      ],
    });
  }, 90_000);

  /** A private tmpfs for the store, where the test may mount one (root, or user namespaces). */
  const unshare = privateMountCommand();
  it.skipIf(unshare === undefined)(
    "on a real full disk (a 1 MB tmpfs): exits 6; once space is freed and the heartbeat is stale, `weir retry` recovers it",
    () => {
      const storeDir = join(dir, "tmpfs");
      const out = join(dir, "tmpfs-out");
      mkdirSync(storeDir);
      mkdirSync(out);
      const node = `${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts`;
      // One shell in its own mount namespace: the tmpfs exists only for it, and goes with it.
      const script = `
        mount -t tmpfs -o size=1m tmpfs ${storeDir} || exit 90
        ${node} run filldisk --date 2024-01-15 >${out}/run.out 2>${out}/run.err; echo $? >${out}/run.rc
        rm -f ${storeDir}/filler
        sleep 1.5
        ${node} retry "$(cat ${out}/run-id)" --json >${out}/retry.out 2>${out}/retry.err; echo $? >${out}/retry.rc`;
      const r = spawnSync(unshare![0]!, [...unshare!.slice(1), "sh", "-c", script], {
        cwd: ROOT,
        env: {
          ...process.env,
          WEIR_CONFIG: join(dir, "weir.config.ts"),
          WEIR_HOME: "",
          WEIR_METADATA_URL: join(storeDir, "weir.db"),
          // The failed executor could not release the run: it is taken over once its heartbeat is this old.
          WEIR_HEARTBEAT_TIMEOUT_MS: "1000",
          FILLER: join(storeDir, "filler"),
          RUN_ID_FILE: join(out, "run-id"),
          NO_COLOR: "1",
        },
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const read = (name: string) => readFileSync(join(out, name), "utf8");
      const runId = read("run-id");
      expect(read("run.rc").trim(), read("run.err")).toBe("6");
      expect(read("run.err")).toContain(
        `error [METADATA_FAILED]: run ${runId} of pipeline "filldisk" stopped: metadata store ${join(storeDir, "weir.db")}: database or disk is full (SQLITE_FULL)`,
      );
      expect(read("retry.rc").trim(), read("retry.err")).toBe("0");
      expect(JSON.parse(read("retry.out"))).toMatchObject({ runId, state: "succeeded" });
    },
    150_000,
  );
});

/** The command that gives a shell a private mount namespace in which it may mount a tmpfs, if any. */
function privateMountCommand(): string[] | undefined {
  if (process.platform !== "linux") return undefined;
  const probe = mkdtempSync(join(tmpdir(), "weir-mount-probe-"));
  try {
    const candidates =
      process.getuid?.() === 0
        ? [["unshare", "--mount", "--propagation", "private"]]
        : [["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"]];
    for (const command of candidates) {
      const r = spawnSync(command[0]!, [
        ...command.slice(1),
        "sh",
        "-c",
        `mount -t tmpfs -o size=64k tmpfs ${probe}`,
      ]);
      if (r.status === 0 && existsSync(probe)) return command;
    }
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
