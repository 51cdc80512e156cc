import type { Command } from "commander";
import { ConfigError } from "../../core/errors.js";
import { impact } from "../../lineage/graph/impact.js";
import type { LineageDirection, LineageGraph } from "../../lineage/graph/lineage-graph.js";
import { renderDot } from "../../lineage/graph/render-dot.js";
import { renderMermaid } from "../../lineage/graph/render-mermaid.js";
import { renderTree } from "../../lineage/graph/render-tree.js";
import { upstream } from "../../lineage/graph/upstream.js";
import { datasetLabel } from "../../lineage/store/dataset-label.js";
import { LineageStore } from "../../lineage/store/lineage-store.js";
import { parseCount } from "../cli-project.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";
import { withStore } from "./runs.js";

const FORMATS = ["text", "mermaid", "dot"] as const;
type GraphFormat = (typeof FORMATS)[number];

interface GraphOptions {
  depth?: string;
  format?: string;
  json?: boolean;
}

const DESCRIPTIONS: Record<LineageDirection, string> = {
  upstream: "where a dataset's (or a column's) data came from, job by job",
  impact: "what a dataset (or a column) flows into: what a change to it reaches",
};

/**
 * `weir lineage upstream|impact|datasets|events`: the lineage runs recorded in the metadata
 * store (OpenLineage events, and the dataset and column edges they imply).
 */
export function registerLineageCommand(program: Command): void {
  const lineage = program
    .command("lineage")
    .description("lineage recorded by runs: upstream, impact, datasets, events");
  for (const direction of ["upstream", "impact"] as const) {
    lineage
      .command(direction)
      .description(DESCRIPTIONS[direction])
      .argument(
        "<dataset>",
        "dataset[.column]: weir's name (dim_customers, lake.raw.customers), the OpenLineage name or namespace/name",
      )
      .option("--depth <n>", "follow this many jobs (default: all)")
      .option("--format <format>", `output format: ${FORMATS.join(", ")}`, "text")
      .option("--json", "print the graph as JSON")
      .action(async (text: string, options: GraphOptions) => {
        const format = formatOf(options.format);
        const depth = options.depth === undefined ? undefined : parseCount(options.depth, "--depth");
        await withLineage(async (store) => {
          const { dataset, column } = await store.resolveDatasetColumn(text);
          const target = column === undefined ? dataset : { dataset, column };
          const query = direction === "upstream" ? upstream : impact;
          const graph = await query(store, target, depth === undefined ? {} : { depth });
          if (options.json) return print(graph);
          process.stdout.write(render(graph, format));
        });
      });
  }
  lineage
    .command("datasets")
    .description("every dataset lineage knows, with the jobs that write it")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      await withLineage(async (store) => {
        const datasets = await store.datasets();
        const withProducers = [];
        for (const d of datasets) {
          const jobs = new Set((await store.producersOf(d)).map((e) => e.job.name));
          withProducers.push({ ...d, producers: [...jobs].sort() });
        }
        if (options.json) return print(withProducers);
        const rows = withProducers.map((d) => [
          datasetLabel(d),
          d.namespace,
          d.name,
          d.schemaFields?.length,
          d.producers.length > 0 ? d.producers.join(", ") : "-",
          d.updatedAt,
        ]);
        process.stdout.write(
          `${renderTable(["dataset", "namespace", "name", "fields", "written by", "updated"], rows)}\n`,
        );
      });
    });
  lineage
    .command("events")
    .description("recorded OpenLineage events, oldest first")
    .option("--run <id>", "only this run's events")
    .option("--job <name>", "only this job's events (its name or namespace/name)")
    .option("--limit <n>", "the newest this many (default 100)")
    .option("--json", "print the events as JSON, each with its payload")
    .action(async (options: { run?: string; job?: string; limit?: string; json?: boolean }) => {
      await withLineage(async (store) => {
        const events = await store.events({
          ...(options.run !== undefined ? { runId: options.run } : {}),
          ...(options.job !== undefined ? { job: options.job } : {}),
          limit: options.limit === undefined ? 100 : parseCount(options.limit, "--limit"),
        });
        if (options.json) return print(events);
        const rows = events.map((e) => [
          e.eventTime,
          e.eventType,
          `${e.job.namespace}/${e.job.name}`,
          e.runId,
          countOf(e.event.inputs),
          countOf(e.event.outputs),
        ]);
        process.stdout.write(`${renderTable(["time", "type", "job", "run", "inputs", "outputs"], rows)}\n`);
      });
    });
}

function render(graph: LineageGraph, format: GraphFormat): string {
  if (format === "mermaid") return renderMermaid(graph);
  if (format === "dot") return renderDot(graph);
  return renderTree(graph);
}

function formatOf(value: string | undefined): GraphFormat {
  const format = value ?? "text";
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(`invalid --format "${format}": expected one of ${FORMATS.join(", ")}`);
  }
  return format as GraphFormat;
}

/** The project's metadata store's lineage tables, for a command that only reads. */
function withLineage<T>(fn: (store: LineageStore) => Promise<T>): Promise<T> {
  return withStore((store) => fn(LineageStore.of(store)));
}

function countOf(list: unknown): number {
  return Array.isArray(list) ? list.length : 0;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonSafe, 2)}\n`);
}
