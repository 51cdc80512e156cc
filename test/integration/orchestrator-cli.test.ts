import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The orchestrator's commands on a real project (weir.config.ts, pipelines by name), each
 * in its own `weir` process, sharing one SQLite metadata store; notifications go to a
 * local HTTP server standing in for Slack.
 */
const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;
let server: Server;
let hookUrl: string;
const posts: { url: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      posts.push({ url: req.url ?? "", body });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T00/B00/s3cr3t-hook-token`;

  dir = mkdtempSync(join(tmpdir(), "weir-orch-cli-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `import { defineConfig } from ${JSON.stringify(join(ROOT, "src/config/project-config.ts"))};
     export default defineConfig({
       pipelines: ["pipelines"],
       home: "home",
       notifications: { channels: { hook: { type: "webhook", url: { env: "WEIR_TEST_HOOK_URL" } } }, defaults: { failure: ["hook"] } },
       scheduler: { tick: "100ms" },
     });`,
  );
  const define = JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"));
  mkdirSync(join(dir, "pipelines", "flow"), { recursive: true });
  writeFileSync(
    join(dir, "pipelines", "flow", "pipeline.ts"),
    `import { definePipeline, defineTask } from ${define};
     const extract = defineTask({ id: "extract", run: async (ctx) => { ctx.logger.info("read 3 rows", { rows: 3 }); ctx.recordRows({ in: 3 }); return 3; } });
     const load = defineTask({
       id: "load", dependsOn: ["extract"],
       run: async (ctx) => {
         if (process.env.FLOW_FAIL === "1") {
           // A careless task: it logs and throws the webhook URL it read from the environment.
           ctx.logger.warn("posting to " + process.env.WEIR_TEST_HOOK_URL);
           throw new Error("POST " + process.env.WEIR_TEST_HOOK_URL + " refused");
         }
         ctx.recordRows({ out: ctx.outputOf<number>("extract") });
       },
     });
     export default definePipeline({ id: "flow", schedule: "@daily", startDate: "2024-01-01", catchup: false, owner: "ops", tasks: [extract, load] });`,
  );
  writeFileSync(
    join(dir, "pipelines", "bad.pipeline.ts"),
    `import { definePipeline, defineTask } from ${define};
     export default definePipeline({ id: "bad", notifications: { failure: ["nope"] }, tasks: [defineTask({ id: "t", run: async () => 0 })] });`,
  );
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `weir …` in its own process (async, so the in-test HTTP server can answer it). */
function weir(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        WEIR_CONFIG: join(dir, "weir.config.ts"),
        WEIR_HOME: "",
        WEIR_TEST_HOOK_URL: hookUrl,
        FORCE_COLOR: "0",
        NO_COLOR: "1",
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("close", (status) => resolvePromise({ status, stdout, stderr }));
  });
}

const json = <T>(r: Result): T => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};

describe("weir pipelines", () => {
  it("lists the project's pipelines with their schedules and validates them", async () => {
    const { pipelines } = json<{ pipelines: { id: string; when: string }[] }>(
      await weir(["pipelines", "list", "--json"]),
    );
    expect(pipelines.map((p) => [p.id, p.when])).toEqual([
      ["bad", "manual only"],
      ["flow", "daily at 00:00 (UTC)"],
    ]);
    const validate = await weir(["pipelines", "validate"]);
    expect(validate.status).toBe(2);
    expect(validate.stdout).toContain("✓ flow");
    expect(validate.stdout).toContain("✗ bad");
    expect(validate.stdout).toContain(
      'notifications.failure names channel "nope", which the project config does not define (channels: hook)',
    );
    expect((await weir(["pipelines", "validate", "flow"])).status).toBe(0);
  });
});

describe("this repository's weir.config.ts", () => {
  it("lists the examples with their schedules", async () => {
    const r = await weir(["pipelines", "list"], { WEIR_CONFIG: "", WEIR_HOME: join(dir, "repo-home") });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /customers\s+daily at 02:00 \(UTC\)\s.*data-team\s+examples\/customers\/pipeline\.ts/,
    );
    expect(r.stdout).toMatch(
      /partitioned-orders\s+daily at 00:30 \(UTC\), daily partitions\s.*examples\/partitioned-orders\/pipeline\.ts/,
    );
    const validate = await weir(["pipelines", "validate"], {
      WEIR_CONFIG: "",
      WEIR_HOME: join(dir, "repo-home"),
    });
    expect(validate.status, validate.stdout).toBe(0);
  });
});

describe("weir run, logs, runs, retry", () => {
  it("runs by name, keeps secrets out of output and store, notifies, and retries the failed task", async () => {
    const ok = json<{ runId: string; state: string }>(
      await weir(["run", "flow", "--date", "2024-03-01", "--json"]),
    );
    expect(ok.state).toBe("succeeded");

    const failed = await weir(["run", "flow", "--date", "2024-03-02"], { FLOW_FAIL: "1" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(
      'error [TASK_FAILED]: task "load" failed: POST [redacted WEIR_TEST_HOOK_URL] refused',
    );
    const runId = /\(run (run_\w+)\)/.exec(failed.stdout)![1]!;
    // The failure was posted to the webhook (a Slack body), to the secret URL.
    expect(posts).toHaveLength(1);
    expect(posts[0]!.url).toBe("/services/T00/B00/s3cr3t-hook-token");
    expect(JSON.parse(posts[0]!.body).text).toBe(":red_circle: [weir] flow failed: task load (2024-03-02)");
    expect(posts[0]!.body).toContain("[redacted WEIR_TEST_HOOK_URL]");
    expect(posts[0]!.body).not.toContain("s3cr3t-hook-token");

    const logs = await weir(["logs", runId, "load"]);
    expect(logs.status, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/load#1 WARN {2}posting to \[redacted WEIR_TEST_HOOK_URL\]/);
    const allLogs = await weir(["logs", runId, "--json"]);
    expect(json<{ taskId: string; message: string }[]>(allLogs).map((l) => [l.taskId, l.message])).toEqual([
      ["extract", "read 3 rows"],
      ["load", "posting to [redacted WEIR_TEST_HOOK_URL]"],
    ]);

    const list = json<{ id: string; state: string; runType: string }[]>(
      await weir(["runs", "list", "--pipeline", "flow", "--json"]),
    );
    expect(list.map((r) => [r.id, r.state, r.runType])).toEqual([
      [runId, "failed", "manual"],
      [ok.runId, "succeeded", "manual"],
    ]);
    const show = await weir(["runs", "show", runId]);
    expect(show.stdout).toMatch(/flow run \S+ failed/);
    expect(show.stdout).toMatch(/extract\s+success\s+1\/1/);
    expect(show.stdout).toMatch(/load\s+failed\s+1\/1/);

    const retried = await weir(["retry", runId]);
    expect(retried.status, retried.stderr).toBe(0);
    expect(retried.stdout).toContain(`cleared load of run ${runId}`);
    expect(retried.stdout).toContain("✓ load");
    expect(retried.stdout).not.toContain("✓ extract"); // done tasks are not run again
    const after = json<{ tasks: { taskId: string; state: string; tryNumber: number }[] }>(
      await weir(["runs", "show", runId, "--json"]),
    );
    expect(after.tasks.map((t) => [t.taskId, t.state, t.tryNumber])).toEqual([
      ["extract", "success", 1],
      ["load", "success", 2],
    ]);

    // Nothing any process wrote to the store holds the secret.
    const db = ["weir.db", "weir.db-wal"]
      .map((f) => join(dir, "home", f))
      .filter(existsSync)
      .map((f) => readFileSync(f).toString("latin1"))
      .join("");
    expect(db).toContain("redacted WEIR_TEST_HOOK_URL");
    expect(db).not.toContain("s3cr3t-hook-token");
    for (const r of [failed, logs, allLogs, show, retried])
      expect(r.stdout + r.stderr).not.toContain("s3cr3t-hook-token");
  });
});

describe("weir pause, scheduler --once, backfill", () => {
  it("schedules only unpaused pipelines and backfills only the dates without a run", async () => {
    expect((await weir(["pause", "flow"])).stdout).toContain("paused flow");
    const paused = await weir(["scheduler", "--once"]);
    expect(paused.status, paused.stderr).toBe(0);
    expect(paused.stdout).not.toMatch(/queued scheduled run \S+ of flow/);
    expect((await weir(["unpause", "flow"])).stdout).toContain("unpaused flow");
    const once = await weir(["scheduler", "--once"]);
    expect(once.status, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/queued scheduled run \S+ of flow/);
    const scheduled = json<{ state: string; runType: string }[]>(
      await weir(["runs", "list", "--type", "scheduled", "--json"]),
    );
    expect(scheduled.map((r) => [r.runType, r.state])).toEqual([["scheduled", "succeeded"]]);

    const backfill = json<{ runs: { state: string; logicalDate: string }[]; skipped: string[] }>(
      await weir([
        "backfill",
        "flow",
        "--from",
        "2024-02-01",
        "--to",
        "2024-02-03",
        "--concurrency",
        "2",
        "--json",
      ]),
    );
    expect(backfill.runs.map((r) => [r.logicalDate, r.state])).toEqual([
      ["2024-02-01T00:00:00.000Z", "succeeded"],
      ["2024-02-02T00:00:00.000Z", "succeeded"],
      ["2024-02-03T00:00:00.000Z", "succeeded"],
    ]);
    const again = json<{ runs: unknown[]; skipped: string[] }>(
      await weir(["backfill", "flow", "--from", "2024-02-01", "--to", "2024-02-03", "--json"]),
    );
    expect(again.runs).toEqual([]);
    expect(again.skipped).toHaveLength(3);
  });
});
