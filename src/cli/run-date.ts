import { ConfigError } from "../core/errors.js";
import { parseLogicalDate } from "../core/interval.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import type { PipelineDefinition } from "../orchestrator/define-pipeline.js";
import {
  isCanonicalLogicalDate,
  latestCompleteRun,
  type RunSlot,
  runContaining,
  runOfDay,
} from "../orchestrator/run-interval.js";
import { parseZonedDate } from "../orchestrator/schedule/parse-zoned-date.js";

/** What `weir run` was asked for, and the run it resolves to. */
export interface ResolvedRunDate extends RunSlot {
  /** Said on stderr when the run is not literally what was typed (or nothing was typed). */
  note?: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The run `weir run --date D [--interval A..B]` means. A logical date names the schedule's
 * interval (or the partition) that contains it, as in Airflow, with that interval's own
 * logical date, so a manual run and the scheduler's or a backfill's run of the interval
 * are one run: `--date 2001-03-15` of a `@monthly` pipeline is the run of March
 * (logical date 2001-03-01). A plain date is a day in the pipeline's time zone (see
 * `runOfDay`); an instant must carry `Z` or an offset. Without `--date`, the latest complete
 * interval. A run over another span is explicit: `--interval A..B` (start inclusive, end
 * exclusive), its logical date `--date` as typed, else A.
 */
export function resolveRunDate(
  pipeline: PipelineDefinition,
  options: { date?: string | undefined; interval?: string | undefined },
  now: Date = new Date(),
): ResolvedRunDate {
  if (options.interval !== undefined) return explicitInterval(pipeline, options.interval, options.date);
  if (options.date === undefined) {
    const slot = latestCompleteRun(pipeline, now);
    return { ...slot, note: `no --date: running the latest complete interval, ${describeSlot(slot)}` };
  }
  const text = options.date.trim();
  const day = DAY.exec(text);
  if (day) {
    parseLogicalDate(text); // refuses a day that does not exist, such as 2024-02-30
    const slot = runOfDay(pipeline, { year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) });
    const literal = slot.logicalDate.toISOString() === `${text}T00:00:00.000Z` && isWholeDay(slot);
    return literal ? slot : { ...slot, note: `--date ${text} is in ${describeSlot(slot)}` };
  }
  const typed = parseInstant(text, "--date", pipeline.timezone);
  const slot = runContaining(pipeline, typed);
  const literal = slot.logicalDate.getTime() === typed.getTime();
  return literal ? slot : { ...slot, note: `--date ${text} is in ${describeSlot(slot)}` };
}

/**
 * Refuses a run whose logical date already has a run over another data interval: a logical
 * date has one run, and backfills and the scheduler count it as that interval's.
 */
export async function checkExistingInterval(
  store: MetadataStore,
  pipeline: PipelineDefinition,
  slot: RunSlot,
): Promise<void> {
  const run = await store.runs.atLogicalTime(pipeline.id, slot.logicalDate.toISOString());
  if (!run) return;
  if (
    Date.parse(run.intervalStart) === slot.interval.start.getTime() &&
    Date.parse(run.intervalEnd) === slot.interval.end.getTime()
  )
    return;
  throw new ConfigError(
    `pipeline "${pipeline.id}" already has run ${run.id} (${run.state}) for logical date ${run.logicalTime}, over ${run.intervalStart} → ${run.intervalEnd}; ` +
      `this run would cover ${slot.interval.start.toISOString()} → ${slot.interval.end.toISOString()}. A logical date has one run and one data interval: ` +
      `give this span its own logical date with --date <instant> --interval <start>..<end>`,
    { details: { runId: run.id, logicalTime: run.logicalTime } },
  );
}

/** "the @monthly interval 2001-03-01T00:00Z → 2001-04-01T00:00Z (logical date 2001-03-01T00:00Z)". */
export function describeSlot(slot: RunSlot): string {
  return `the interval ${short(slot.interval.start)} → ${short(slot.interval.end)} (logical date ${short(slot.logicalDate)})`;
}

function explicitInterval(
  pipeline: PipelineDefinition,
  text: string,
  date: string | undefined,
): ResolvedRunDate {
  const parts = text.split("..");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new ConfigError(
      `invalid --interval "${text}": expected <start>..<end>, e.g. 2001-03-01..2001-03-08 (the end excluded)`,
      { details: { value: text } },
    );
  }
  const start = parseBound(parts[0], pipeline.timezone);
  const end = parseBound(parts[1], pipeline.timezone);
  if (!(start.getTime() < end.getTime())) {
    throw new ConfigError(`invalid --interval "${text}": the start must be before the end`, {
      details: { value: text },
    });
  }
  const logicalDate = date === undefined ? start : parseBound(date, pipeline.timezone, "--date");
  const slot = { logicalDate, interval: { start, end } };
  const canonical = runContaining(pipeline, logicalDate);
  const sameSpan =
    canonical.interval.start.getTime() === start.getTime() &&
    canonical.interval.end.getTime() === end.getTime();
  const dated = pipeline.schedule.kind === "cron" || pipeline.partitions !== undefined;
  if (dated && !sameSpan && isCanonicalLogicalDate(pipeline, logicalDate)) {
    const other = new Date(logicalDate.getTime() + 1000).toISOString();
    throw new ConfigError(
      `--interval ${text} is not the interval of logical date ${logicalDate.toISOString()}, which is ${short(canonical.interval.start)} → ${short(canonical.interval.end)}: ` +
        `a run with that logical date stands for its whole interval (backfills and the scheduler count it done). ` +
        `Give this span a logical date of its own, e.g. --date ${other}`,
      { details: { interval: text, logicalDate: logicalDate.toISOString() } },
    );
  }
  return { ...slot, note: `an explicit interval, ${describeSlot(slot)}` };
}

/** A bound of --interval (or --date with it): a day (midnight in the pipeline's zone) or an instant. */
function parseBound(text: string, timezone: string, option = "--interval"): Date {
  const trimmed = text.trim();
  if (DAY.test(trimmed)) {
    parseLogicalDate(trimmed);
    return parseZonedDate(trimmed, timezone, option);
  }
  return parseInstant(trimmed, option, timezone);
}

function parseInstant(text: string, option: string, timezone: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    throw new ConfigError(
      `invalid ${option} "${text}": expected YYYY-MM-DD (a day in the pipeline's time zone, ${timezone}) or an ISO-8601 instant with Z or an offset, such as 2024-01-15T02:00:00Z`,
      { details: { value: text } },
    );
  }
  return parseZonedDate(text, timezone, option);
}

function isWholeDay(slot: RunSlot): boolean {
  return slot.interval.end.getTime() - slot.interval.start.getTime() === 86_400_000;
}

function short(date: Date): string {
  return date.toISOString().replace(":00.000Z", "Z");
}
