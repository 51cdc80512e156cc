#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { registerAlertsCommand } from "./commands/alerts.js";
import { registerAuditCommand } from "./commands/audit.js";
import { registerBackfillCommand } from "./commands/backfill.js";
import { registerCheckCommand } from "./commands/check.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerEraseCommand } from "./commands/erase.js";
import { registerGrantCommand } from "./commands/grant.js";
import { registerLakeCommand } from "./commands/lake-ls.js";
import { registerLakeVacuumCommand } from "./commands/lake-vacuum.js";
import { registerLineageCommand } from "./commands/lineage.js";
import { registerLogsCommand } from "./commands/logs.js";
import { registerPauseCommands } from "./commands/pause.js";
import { registerPiiCommand } from "./commands/pii.js";
import { registerPipelinesCommand } from "./commands/pipelines.js";
import { registerProfileCommand } from "./commands/profile.js";
import { registerRetryCommand } from "./commands/retry.js";
import { registerRunCommand } from "./commands/run.js";
import { registerRunsCommand } from "./commands/runs.js";
import { registerSchedulerCommand } from "./commands/scheduler.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSqlCommand } from "./commands/sql.js";
import { registerStreamCommand } from "./commands/stream.js";
import { registerTokenCommand } from "./commands/token.js";
import { registerWarehouseCommand } from "./commands/warehouse.js";
import { registerWorkerCommand } from "./commands/worker.js";
import { registerWorkersCommand } from "./commands/workers.js";
import { packageVersion } from "./package-version.js";
import { reportError } from "./report-error.js";

/**
 * The `weir` command line. Commands live one per file under `commands/` and only parse,
 * call library functions and print; exit codes come from `ERROR_CODES`.
 */
export function buildProgram(): Command {
  const program = new Command("weir")
    .description("data pipelines as TypeScript code")
    .version(packageVersion(), "-V, --version", "print weir's version")
    .option(
      "--home <dir>",
      "weir home folder (default: $WEIR_HOME, else the home of the nearest weir.config.ts, else ./.weir)",
    )
    .option("--verbose", "print stack traces with errors")
    .hook("preAction", (command) => {
      const { home } = command.optsWithGlobals<{ home?: string }>();
      if (home) process.env.WEIR_HOME = home;
    })
    .exitOverride()
    .showHelpAfterError();
  registerRunCommand(program);
  registerBackfillCommand(program);
  registerRunsCommand(program);
  registerLogsCommand(program);
  registerRetryCommand(program);
  registerPipelinesCommand(program);
  registerPauseCommands(program);
  registerSchedulerCommand(program);
  registerWorkerCommand(program);
  registerWorkersCommand(program);
  registerServeCommand(program);
  registerDemoCommand(program);
  registerLakeVacuumCommand(registerLakeCommand(program));
  registerSqlCommand(program);
  registerLineageCommand(program);
  registerStreamCommand(program);
  registerWarehouseCommand(program);
  registerCheckCommand(program);
  registerProfileCommand(program);
  registerAuditCommand(program);
  registerGrantCommand(program);
  registerPiiCommand(program);
  registerEraseCommand(program);
  registerAlertsCommand(program);
  registerTokenCommand(program);
  return program;
}

/**
 * A reader that stopped early (`weir profile … | head`) closes the pipe: the next write
 * fails with EPIPE. That is the reader's choice, not an error: the rest of the output is
 * dropped quietly (the stream is destroyed, later writes go nowhere) and the command
 * finishes what it was doing — a run is not abandoned half-way because nobody reads on.
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help / version).
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(error, argv.includes("--verbose"));
  }
}

/** Resolves once what was written to `stream` has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write("", () => resolve());
  });
}

ignoreClosedPipe(process.stdout);
ignoreClosedPipe(process.stderr);
await main(process.argv);
// The command is done (a run decided, its store closed): exit now, even if task code that
// ignored its abort signal still holds timers or sockets. It was told to stop and given its
// grace; nothing waits for it any more, and the process must not hang on it.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit();
