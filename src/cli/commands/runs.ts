import type { Command } from "commander";
import { ConfigError } from "../../core/errors.js";
import type { MetadataStore, RunState, RunType } from "../../metadata/metadata-store.js";
import { loadCliProject, openCliStore, parseCount } from "../cli-project.js";
import { renderRunDetail, renderRunList } from "../render-runs.js";
import { jsonSafe } from "../report-error.js";

const STATES: readonly RunState[] = ["queued", "running", "succeeded", "failed"];
const TYPES: readonly RunType[] = ["scheduled", "manual", "backfill", "dataset_triggered"];

interface ListOptions {
  pipeline?: string;
  state?: string;
  type?: string;
  limit?: string;
  json?: boolean;
}

/** `weir runs list|show`: run history from the metadata store. */
export function registerRunsCommand(program: Command): void {
  const runs = program.command("runs").description("run history");
  runs
    .command("list")
    .description("runs, newest first")
    .option("--pipeline <id>", "only this pipeline's runs")
    .option("--state <state>", `only runs in this state (${STATES.join(", ")})`)
    .option("--type <type>", `only runs of this type (${TYPES.join(", ")})`)
    .option("--limit <n>", "at most this many (default 20)")
    .option("--json", "print JSON")
    .action(async (options: ListOptions) => {
      const state = oneOf(options.state, STATES, "--state");
      const type = oneOf(options.type, TYPES, "--type");
      await withStore(async (store) => {
        const list = await store.runs.list({
          ...(options.pipeline ? { pipeline: options.pipeline } : {}),
          ...(state ? { states: [state] } : {}),
          ...(type ? { runTypes: [type] } : {}),
          limit: options.limit ? parseCount(options.limit, "--limit") : 20,
        });
        if (options.json) return print(list);
        process.stdout.write(`${renderRunList(list)}\n`);
      });
    });
  runs
    .command("show")
    .description("one run: its facts, its task instances and their attempts")
    .argument("<run>", "run id")
    .option("--json", "print JSON")
    .action(async (runId: string, options: { json?: boolean }) => {
      await withStore(async (store) => {
        const run = await requireRun(store, runId);
        const [tasks, attempts] = await Promise.all([store.tasks.list(runId), store.tasks.attempts(runId)]);
        if (options.json) return print({ run, tasks, attempts });
        process.stdout.write(`${renderRunDetail(run, tasks, attempts)}\n`);
      });
    });
}

/** The run, or a CONFIG_INVALID error naming the store it is missing from. */
export async function requireRun(store: MetadataStore, runId: string) {
  const run = await store.runs.get(runId);
  if (!run) {
    throw new ConfigError(`no run ${runId} in the metadata store at ${store.location} (see weir runs list)`, {
      details: { runId },
    });
  }
  return run;
}

/** Opens the project's store for a command that only reads (never creating it) and closes it afterwards. */
export async function withStore<T>(fn: (store: MetadataStore) => Promise<T>): Promise<T> {
  const { config } = await loadCliProject();
  const store = await openCliStore(config, { read: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  option: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new ConfigError(`invalid ${option} "${value}": expected one of ${allowed.join(", ")}`);
  }
  return value as T;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonSafe, 2)}\n`);
}
