import { relative } from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import type { ProjectConfig } from "../../config/project-config.js";
import { systemClock } from "../../core/clock.js";
import { PipelineError } from "../../core/errors.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { openMetadataStore } from "../../metadata/open-metadata-store.js";
import type { PipelineDefinition } from "../../orchestrator/define-pipeline.js";
import type { PipelineEntry } from "../../orchestrator/pipeline-registry.js";
import { nextScheduledAt } from "../../orchestrator/scheduler/queue-due-runs.js";
import { datasetsOf, describeDatasetCondition } from "../../orchestrator/triggers/dataset-condition.js";
import { storeExists } from "../cli-home.js";
import { loadCliProject, openCliStore } from "../cli-project.js";
import { logicalText, stateText } from "../render-runs.js";
import { renderTable } from "../render-table.js";
import { jsonSafe, reportError } from "../report-error.js";

/** One line of `weir pipelines list --json`. */
export interface PipelineListing {
  id: string;
  file: string;
  schedule: string;
  /** The schedule in words, with the dataset trigger and partitions. */
  when: string;
  timezone: string;
  catchup: boolean;
  maxActiveRuns: number;
  tasks: number;
  owner?: string;
  tags: string[];
  paused: boolean;
  nextRunAt?: string;
  lastRun?: { id: string; logicalTime: string; state: string };
}

/** `weir pipelines list|validate`. */
export function registerPipelinesCommand(program: Command): void {
  const pipelines = program.command("pipelines").description("the project's pipelines (weir.config.ts)");
  pipelines
    .command("list")
    .description("pipelines with their schedules, next and last runs")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
      const { config, registry } = await loadCliProject();
      const { pipelines: entries, failures } = await registry.list();
      // Listing never creates a home: without one there is no history, so an empty store stands in.
      const store = storeExists(config) ? await openCliStore(config) : await openMetadataStore(":memory:");
      let listings: PipelineListing[];
      try {
        listings = await Promise.all(entries.map((e) => listing(e, store)));
      } finally {
        await store.close();
      }
      if (options.json) {
        const failed = failures.map((f) => ({ file: show(f.file), error: f.error.message }));
        return void process.stdout.write(
          `${JSON.stringify({ pipelines: listings, failures: failed }, jsonSafe, 2)}\n`,
        );
      }
      if (listings.length === 0 && failures.length === 0) {
        const where = config.file
          ? `the folders ${config.file} lists (${config.pipelines.map((p) => show(p)).join(", ") || "none"})`
          : "this project (no weir.config.ts found: create one that lists where pipelines live)";
        return void process.stdout.write(`no pipelines in ${where}\n`);
      }
      process.stdout.write(
        `${renderTable(
          ["pipeline", "schedule", "next run", "paused", "last run", "owner", "file"],
          listings.map((l) => [
            l.id,
            l.when,
            nextText(l),
            l.paused ? pc.yellow("yes") : "no",
            l.lastRun
              ? `${l.lastRun.logicalTime.replace("T00:00:00.000Z", "")} ${stateText(l.lastRun.state)}`
              : "-",
            l.owner ?? "-",
            l.file,
          ]),
        )}\n`,
      );
      for (const f of failures) {
        process.stdout.write(`${pc.red("✗")} ${show(f.file)}: ${f.error.message}\n`);
      }
      if (failures.length > 0) {
        process.exitCode = reportError(
          new PipelineError(
            "PIPELINE_INVALID",
            `${failures.length} pipeline file(s) failed to load (weir pipelines validate)`,
          ),
          verbose ?? false,
        );
      }
    });
  pipelines
    .command("validate")
    .description(
      "load every pipeline (or one) and check it: DAG, schedule, durations, channels, pools, datasets",
    )
    .argument("[pipeline]", "only this pipeline (id, file or folder)")
    .option("--json", "print JSON")
    .action(async (ref: string | undefined, options: { json?: boolean }, command: Command) => {
      const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
      const { config, registry } = await loadCliProject();
      const listed = ref === undefined ? await registry.list() : await one(registry.get(ref));
      const all = ref === undefined ? listed.pipelines : (await registry.list()).pipelines;
      const written = new Set(all.flatMap((e) => e.pipeline.tasks.flatMap((t) => t.datasets.writes)));
      const results = [
        ...listed.pipelines.map((e) => ({
          id: e.id,
          file: show(e.file),
          ...check(e.pipeline, config, written),
        })),
        ...listed.failures.map((f) => ({
          id: undefined,
          file: show(f.file),
          errors: [f.error.message],
          warnings: [],
        })),
      ];
      const bad = results.filter((r) => r.errors.length > 0);
      if (options.json) process.stdout.write(`${JSON.stringify(results, jsonSafe, 2)}\n`);
      else {
        for (const r of results) {
          const mark = r.errors.length > 0 ? pc.red("✗") : pc.green("✓");
          process.stdout.write(`${mark} ${r.id ?? "?"}  ${pc.dim(r.file)}\n`);
          for (const e of r.errors) process.stdout.write(`    ${pc.red("error")}: ${e}\n`);
          for (const w of r.warnings) process.stdout.write(`    ${pc.yellow("warning")}: ${w}\n`);
        }
        if (results.length === 0) process.stdout.write("no pipelines to validate\n");
      }
      if (bad.length > 0) {
        process.exitCode = reportError(
          new PipelineError("PIPELINE_INVALID", `${bad.length} of ${results.length} pipeline(s) are invalid`),
          verbose ?? false,
        );
      }
    });
}

async function one(entry: Promise<PipelineEntry>) {
  try {
    return { pipelines: [await entry], failures: [] as { file: string; error: Error }[] };
  } catch (error) {
    const file = (error as { details?: { file?: string } }).details?.file ?? "?";
    return { pipelines: [] as PipelineEntry[], failures: [{ file, error: error as Error }] };
  }
}

/** What `definePipeline` cannot know: channels of the project config, pools, who writes awaited datasets. */
function check(
  pipeline: PipelineDefinition,
  config: ProjectConfig,
  written: ReadonlySet<string>,
): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const [kind, names] of Object.entries(pipeline.notifications.routes)) {
    for (const name of names ?? []) {
      if (!config.channels[name]) {
        errors.push(
          `notifications.${kind} names channel "${name}", which the project config does not define (channels: ${Object.keys(config.channels).join(", ") || "none"})`,
        );
      }
    }
  }
  for (const task of pipeline.tasks) {
    const pool = pipeline.policies[task.id]?.pool;
    if (pool && pipeline.pools[pool] === undefined) {
      warnings.push(
        `task "${task.id}" uses pool "${pool}", which this pipeline does not size (pools: { ${pool}: N }); it must exist in the metadata store`,
      );
    }
  }
  if (pipeline.datasetTrigger) {
    for (const dataset of datasetsOf(pipeline.datasetTrigger)) {
      if (!written.has(dataset))
        warnings.push(`waits for dataset "${dataset}", which no pipeline of the project declares it writes`);
    }
  }
  return { errors, warnings };
}

async function listing(entry: PipelineEntry, store: MetadataStore): Promise<PipelineListing> {
  const { pipeline } = entry;
  const [record, last] = await Promise.all([
    store.pipelines.get(pipeline.id),
    store.runs.latest(pipeline.id),
  ]);
  const paused = record?.paused ?? false;
  // Without a startDate the scheduler starts from when it first runs: "now" is the best guess here.
  const next = await nextScheduledAt({ pipeline, store, clock: systemClock, defaultStartDate: new Date() });
  return {
    id: pipeline.id,
    file: show(entry.file),
    schedule: pipeline.schedule.expression,
    when: describeWhen(pipeline),
    timezone: pipeline.timezone,
    catchup: pipeline.catchup,
    maxActiveRuns: pipeline.maxActiveRuns,
    tasks: pipeline.tasks.length,
    ...(pipeline.owner ? { owner: pipeline.owner } : {}),
    tags: [...pipeline.tags],
    paused,
    ...(next ? { nextRunAt: next.toISOString() } : {}),
    ...(last ? { lastRun: { id: last.id, logicalTime: logicalText(last), state: last.state } } : {}),
  };
}

/** When the next run falls due: "2024-01-16 02:00Z", "due (since …)" when a run is due now, "-" for none or paused. */
function nextText(l: PipelineListing): string {
  if (l.paused || !l.nextRunAt) return "-";
  const at = l.nextRunAt.replace("T", " ").replace(":00.000Z", "Z");
  return Date.parse(l.nextRunAt) <= Date.now() ? `due now (since ${at})` : at;
}

/** "daily at 02:00 (UTC)", "on update of lake.raw.orders", "@daily, daily partitions". */
export function describeWhen(pipeline: PipelineDefinition): string {
  const parts: string[] = [];
  if (pipeline.schedule.kind !== "none") parts.push(pipeline.schedule.description);
  if (pipeline.datasetTrigger)
    parts.push(`on update of ${describeDatasetCondition(pipeline.datasetTrigger)}`);
  if (parts.length === 0) parts.push("manual only");
  if (pipeline.partitions) parts.push(`${pipeline.partitions.grain} partitions`);
  return parts.join(", ");
}

function show(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}
