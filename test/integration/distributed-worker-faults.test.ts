/**
 * Guards the worker's recovery from a lost database (found by the "cut off from PostgreSQL"
 * test below, fixed): when its connections are reset, `weir worker` once crashed with exit 1
 * on an unhandled 'error' event of a node-postgres Client ("write ECONNRESET" from
 * Query.submit → Client._handleErrorEvent; a client checked out of a pool had no 'error'
 * listener). Now every connection the worker owns has an 'error' listener, the take and the
 * outcome are written again with backoff, and a queue runner that graphile-worker stopped is
 * started again: the test asserts the worker stays up, claims jobs again once PostgreSQL
 * answers, the owning `weir run` finishes, and no task's code runs twice.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  type ClusterProject,
  createClusterProject,
  recordViolations,
} from "../support/distributed-cluster.js";
import { TcpProxy } from "../support/distributed-tcp-proxy.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { runWeir, spawnWeir, type WeirProcess, waitFor } from "../support/weir-process.js";

/**
 * `weir worker` processes under faults, with `weir run` (executor distributed) as the
 * owner, PostgreSQL metadata and warehouse: SIGTERM drains (running attempts finish and are
 * not retried, nothing new is claimed, exit 0); a worker cut off from PostgreSQL for 10 s
 * (a TCP proxy resets its connections and refuses new ones) comes back and claims work
 * again, and no task's code runs twice.
 */
const clusters: ClusterProject[] = [];
let proxy: TcpProxy | undefined;

afterAll(async () => {
  await proxy?.close();
  for (const c of clusters) await c.dispose();
});

function workerIdOf(worker: WeirProcess): string {
  const id = /worker (worker:\S+) on queues/.exec(worker.stdout())?.[1];
  if (!id) throw new Error(`no worker id in: ${worker.stdout()}`);
  return id;
}

describe.skipIf(!postgresAvailable)("weir worker under faults", () => {
  it("SIGTERM while it runs attempts: they finish once (no retry), it claims nothing new, exits 0", async () => {
    const c = await createClusterProject("ddrain", { fan: 6 });
    clusters.push(c);
    const a = await c.spawnWorker("a", { concurrency: 3, env: { DIST_TASK_MS: "1500" } });
    const aId = workerIdOf(a);
    const run = spawnWeir(["run", "fan", "--date", "2024-04-01", "--json"], c.env(), c.children);
    await waitFor(
      "worker a to run 3 attempts",
      async () => (await c.db.runningByWorker()).get(aId) === 3,
      60_000,
    );
    const sigtermAt = new Date().toISOString();
    a.child.kill("SIGTERM");
    // The other three tasks wait in the queue while a drains; b takes them once it is up.
    const b = await c.spawnWorker("b", { concurrency: 3, env: { DIST_TASK_MS: "100" } });
    expect(await a.exited, a.stdout()).toBe(0);
    expect(a.stdout()).toContain("worker stopped (3 attempt(s) run)");
    expect(await run.exited, run.stderr()).toBe(0);
    expect((JSON.parse(run.stdout()) as { state: string }).state).toBe("succeeded");

    const attempts = await c.db.attempts();
    // One attempt per task, all successful: a's three were not retried.
    expect(attempts.map((t) => [t.task_id, t.attempt, t.state])).toEqual(
      ["f0", "f1", "f2", "f3", "f4", "f5"].map((id) => [id, 1, "success"]),
    );
    const byA = attempts.filter((t) => t.worker_id === aId);
    expect(byA).toHaveLength(3);
    expect(byA.every((t) => t.picked_at! < sigtermAt)).toBe(true);
    expect(attempts.filter((t) => t.worker_id === workerIdOf(b))).toHaveLength(3);
    const effects = await c.db.effects(c.warehouseSchema);
    expect(recordViolations(attempts, await c.db.instances(), effects, new Set())).toEqual([]);
    expect(
      effects
        .filter((e) => e.pid === a.child.pid)
        .map((e) => e.task)
        .sort(),
    ).toEqual(byA.map((t) => t.task_id).sort());
    const listed = await c.workers();
    expect(listed.find((w) => w.id === aId)?.state).toBe("stopped");
    b.child.kill("SIGTERM");
    expect(await b.exited).toBe(0);
  }, 90_000);

  it("a worker cut off from PostgreSQL for 10 s recovers and claims work again; no task runs twice", async () => {
    const c = await createClusterProject("dcut", { fan: 40 });
    clusters.push(c);
    proxy = await TcpProxy.start(new URL(POSTGRES_URL).hostname, Number(new URL(POSTGRES_URL).port || 5432));
    const p = proxy;
    // Everything the cut-off worker says to PostgreSQL (metadata, queue, warehouse) goes through the proxy.
    const cut = await c.spawnWorker("cut", {
      concurrency: 4,
      env: {
        DIST_TASK_MS: "150-300",
        WEIR_METADATA_URL: p.urlThrough(c.metadataUrl),
        WEIR_WAREHOUSE_URL: p.urlThrough(POSTGRES_URL),
      },
    });
    const direct = await c.spawnWorker("direct", { concurrency: 2, env: { DIST_TASK_MS: "150-300" } });
    const cutId = workerIdOf(cut);
    const run1 = spawnWeir(["run", "fan", "--date", "2024-04-02", "--json"], c.env(), c.children);
    await waitFor(
      "the proxied worker to run 2+ attempts",
      async () => ((await c.db.runningByWorker()).get(cutId) ?? 0) >= 2,
      60_000,
    );
    p.cut();
    const cutAt = new Date().toISOString();
    const inFlight = (await c.db.attempts()).filter(
      (t) => t.worker_id === cutId && !t.has_outcome && t.state === "running",
    );
    expect(inFlight.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    p.restore();
    const restoredAt = new Date().toISOString();
    await waitFor(
      "the first run to end",
      () => {
        if (cut.child.exitCode !== null || cut.child.signalCode !== null) {
          throw new Error(
            `the cut-off worker exited (${cut.child.exitCode ?? cut.child.signalCode}):\n${cut.stdout()}\n${cut.stderr()}`,
          );
        }
        return run1.child.exitCode !== null;
      },
      40_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\nrun: ${run1.stdout()}\n${run1.stderr()}\ncut worker: ${cut.stdout()}`,
      );
    });
    expect(await run1.exited, run1.stderr()).toBe(0);
    expect((JSON.parse(run1.stdout()) as { state: string }).state).toBe("succeeded");
    await waitFor(
      "the proxied worker to heartbeat again",
      async () => {
        const [row] = await c.db.query<{ heartbeat_at: string }>(
          "SELECT heartbeat_at FROM meta.workers WHERE id = $1",
          [cutId],
        );
        return row !== undefined && row.heartbeat_at > restoredAt;
      },
      30_000,
    );
    expect(cut.child.exitCode, cut.stdout()).toBeNull();

    // Only the recovered worker is left: the next run is all its.
    direct.child.kill("SIGTERM");
    expect(await direct.exited).toBe(0);
    const run2 = await runWeir(["run", "fan", "--date", "2024-04-03", "--json"], c.env(), c.children);
    expect(run2.code, `${run2.stderr}\n${cut.stdout()}`).toBe(0);
    const run2Id = (JSON.parse(run2.stdout) as { runId: string }).runId;

    const attempts = await c.db.attempts();
    const effects = await c.db.effects(c.warehouseSchema);
    expect(recordViolations(attempts, await c.db.instances(), effects, new Set())).toEqual([]);
    expect(effects).toHaveLength(80);
    // The attempts cut off mid-flight were reaped and succeeded on a later attempt.
    for (const t of inFlight) {
      const mine = attempts.filter((x) => x.run_id === t.run_id && x.task_id === t.task_id);
      expect(mine.find((x) => x.attempt === t.attempt)?.state).toBe("failed");
      expect(mine.find((x) => x.state === "success")!.attempt).toBeGreaterThan(t.attempt);
    }
    const second = attempts.filter((t) => t.run_id === run2Id);
    expect(second).toHaveLength(40);
    expect(second.every((t) => t.worker_id === cutId && t.picked_at! > restoredAt)).toBe(true);
    expect(p.reset).toBeGreaterThan(0);
    console.info(
      `cut at ${cutAt}, restored at ${restoredAt}; ${p.reset} connection(s) reset; ${inFlight.length} attempt(s) in flight`,
    );
    cut.child.kill("SIGTERM");
    expect(await cut.exited, cut.stdout()).toBe(0);
  }, 120_000);
});
