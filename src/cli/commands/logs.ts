import type { Command } from "commander";
import pc from "picocolors";
import { ConfigError } from "../../core/errors.js";
import { parseCount } from "../cli-project.js";
import { jsonSafe } from "../report-error.js";
import { requireRun, withStore } from "./runs.js";

const LEVEL_COLOR: Record<string, (s: string) => string> = { error: pc.red, warn: pc.yellow, debug: pc.dim };

/** `weir logs <run> [task] [--attempt N] [--json]`: the lines tasks logged, stored per attempt. */
export function registerLogsCommand(program: Command): void {
  program
    .command("logs")
    .description("log lines of a run's tasks, per attempt")
    .argument("<run>", "run id")
    .argument("[task]", "only this task (a mapped instance: task[3])")
    .option("--attempt <n>", "only this attempt")
    .option("--json", "print JSON")
    .action(
      async (runId: string, taskRef: string | undefined, options: { attempt?: string; json?: boolean }) => {
        const task = taskRef === undefined ? undefined : parseTaskRef(taskRef);
        const attempt = options.attempt ? parseCount(options.attempt, "--attempt") : undefined;
        await withStore(async (store) => {
          await requireRun(store, runId);
          const lines = await store.tasks.logs(runId, {
            ...(task ? { taskId: task.taskId } : {}),
            ...(task?.mapIndex !== undefined ? { mapIndex: task.mapIndex } : {}),
            ...(attempt ? { attempt } : {}),
          });
          if (options.json) return void process.stdout.write(`${JSON.stringify(lines, jsonSafe, 2)}\n`);
          if (lines.length === 0) {
            const which = [task ? `task ${taskRef}` : "", attempt ? `attempt ${attempt}` : ""]
              .filter(Boolean)
              .join(", ");
            return void process.stdout.write(`no log lines for run ${runId}${which ? ` (${which})` : ""}\n`);
          }
          for (const l of lines) {
            const name = `${l.taskId}${l.mapIndex >= 0 ? `[${l.mapIndex}]` : ""}#${l.attempt}`;
            const level = (LEVEL_COLOR[l.level] ?? ((s: string) => s))(l.level.toUpperCase().padEnd(5));
            const fields =
              l.fields && Object.keys(l.fields).length > 0
                ? ` ${pc.dim(JSON.stringify(l.fields, jsonSafe))}`
                : "";
            process.stdout.write(`${pc.dim(l.at)} ${name} ${level} ${l.message}${fields}\n`);
          }
        });
      },
    );
}

/** "load" or "per_day[3]". */
export function parseTaskRef(text: string): { taskId: string; mapIndex?: number } {
  const m = /^([A-Za-z][A-Za-z0-9_-]*)(?:\[(\d+)\])?$/.exec(text);
  if (!m)
    throw new ConfigError(`invalid task "${text}": expected a task id, or task[index] for a mapped instance`);
  return { taskId: m[1]!, ...(m[2] === undefined ? {} : { mapIndex: Number(m[2]) }) };
}
