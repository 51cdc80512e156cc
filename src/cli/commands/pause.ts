import type { Command } from "commander";
import { PipelineError } from "../../core/errors.js";
import { loadCliProject, openCliStore } from "../cli-project.js";

/** `weir pause <pipeline>` and `weir unpause <pipeline>`. */
export function registerPauseCommands(program: Command): void {
  for (const paused of [true, false]) {
    program
      .command(paused ? "pause" : "unpause")
      .description(
        paused
          ? "pause a pipeline: the scheduler queues no new runs and starts none of its queued runs (running runs finish)"
          : "unpause a pipeline: the scheduler schedules it again",
      )
      .argument("<pipeline>", "pipeline id, file or folder")
      .option("--json", "print JSON")
      .action(async (ref: string, options: { json?: boolean }) => {
        const { config, registry } = await loadCliProject();
        const store = await openCliStore(config);
        try {
          // A pipeline the project no longer has but the store remembers can still be (un)paused.
          const id = await registry.get(ref).then(
            (e) => e.id,
            async (error: unknown) => {
              if ((await store.pipelines.get(ref)) !== undefined) return ref;
              throw error instanceof PipelineError
                ? error
                : new PipelineError("PIPELINE_NOT_FOUND", String(error));
            },
          );
          await store.pipelines.setPaused(id, paused, new Date().toISOString());
          const record = await store.pipelines.get(id);
          if (options.json) return void process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
          process.stdout.write(
            paused
              ? `paused ${id}: no new runs until \`weir unpause ${id}\` (running runs finish)\n`
              : `unpaused ${id}: the scheduler schedules it again\n`,
          );
        } finally {
          await store.close();
        }
      });
  }
}
