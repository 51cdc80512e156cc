import type { Source } from "../../connectors/source.js";
import { noteDataset, withoutObserver } from "../../core/activity-scope.js";
import { tableLabel } from "../../core/types.js";
import type { TaskContext, TaskExtractOptions, TaskExtractResult } from "../task-context.js";

/**
 * `ctx.extract`: the source's rows for the run's interval into a staging table, its
 * rejections into quarantine — always, so re-running a date with fewer rejections also
 * removes the earlier run's — and the counts the run summary reconciles.
 */
export async function extractInTask(
  ctx: TaskContext,
  source: Source,
  options: TaskExtractOptions,
): Promise<TaskExtractResult> {
  const table = options.table ?? ctx.stagingTable(options.dataset);
  // The extract's own statements are not the data flow: lineage gets source → table.
  const result = await withoutObserver(() =>
    source.extract(ctx.engine, table, {
      interval: ctx.interval,
      signal: ctx.signal,
      logger: ctx.logger,
      // Drives the CLI's progress bar on a terminal; not awaited, so reading never waits on it.
      progress: (done, total) => {
        if (total !== undefined) void ctx.progress({ step: "extracting", done, total, unit: "rows" });
      },
    }),
  );
  // weir names what comes from outside `source.<dataset>`; OpenLineage names it by its location.
  const from = { kind: "source" as const, name: `source.${options.dataset}`, location: source.location };
  noteDataset({ direction: "input", ...from });
  noteDataset({
    direction: "output",
    kind: "table",
    name: tableLabel(table),
    engine: ctx.engine,
    rows: result.rowsLoaded,
    identityFrom: from,
  });
  ctx.recordRows({ in: result.rowsRead, out: result.rowsLoaded });
  ctx.recordDataset({ dataset: options.dataset, extracted: result.rowsRead });
  const quarantined = await ctx.quarantine({
    dataset: options.dataset,
    stage: options.stage ?? "extract",
    rejections: result.rejections,
  });
  return { ...result, table, quarantined: quarantined.rows };
}
