import type { Command } from "commander";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import { WorkerRegistry } from "../../orchestrator/distributed/worker-registry.js";
import { loadCliProject, openCliStore } from "../cli-project.js";
import { heartbeatTimeoutOf } from "../heartbeat-timeout.js";
import { renderTable } from "../render-table.js";

/** `weir workers list [--json]`: the distributed executor's workers, their queues, load and liveness. */
export function registerWorkersCommand(program: Command): void {
  const workers = program.command("workers").description("the workers of the distributed executor");
  workers
    .command("list")
    .description(
      "list workers: host, queues, running attempts, last heartbeat, state (alive, stale, stopped)",
    )
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const { config } = await loadCliProject();
      const store = await openCliStore(config, { read: true });
      try {
        const db = sqlDatabaseOf(store);
        const staleBefore = new Date(Date.now() - heartbeatTimeoutOf(config)).toISOString();
        const list = db ? await new WorkerRegistry(db).list(staleBefore) : [];
        if (options.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        if (list.length === 0)
          return void process.stdout.write("no workers registered (start one with `weir worker`)\n");
        process.stdout.write(
          `${renderTable(
            ["name", "host", "pid", "queues", "concurrency", "running", "last heartbeat", "state"],
            list.map((w) => [
              w.name,
              w.host,
              w.pid,
              w.queues.join(","),
              w.concurrency,
              w.runningAttempts,
              w.heartbeatAt,
              w.state,
            ]),
          )}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
