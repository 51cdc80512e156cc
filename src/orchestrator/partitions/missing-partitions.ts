import { ConfigError } from "../../core/errors.js";
import type { PartitionScheme, TimePartition } from "./partition-scheme.js";
import type { RangeSet } from "./range-set.js";

export interface MissingPartitionsOptions {
  /** Refuse to list more than this many (default 100,000) rather than allocate without bound. */
  max?: number;
}

/**
 * Backfill planning: the partitions overlapping `[from, to)` that are not fully covered by
 * `materialised`, oldest first. The work is proportional to the ranges stored plus the
 * partitions returned — a dataset with 100,000 hourly partitions done and one hole costs a
 * binary search and that hole, not a walk over every partition.
 *
 * @example
 * const days = partitionScheme("daily");
 * const done = new RangeSet().add(days.rangeOf("2024-01-01").start, days.rangeOf("2024-01-03").end);
 * missingPartitions(days, done, new Date("2024-01-01T00:00Z"), new Date("2024-01-05T00:00Z")).map((p) => p.key);
 * // ["2024-01-04"]
 */
export function missingPartitions(
  scheme: PartitionScheme,
  materialised: RangeSet,
  from: Date,
  to: Date,
  options: MissingPartitionsOptions = {},
): TimePartition[] {
  if (from.getTime() >= to.getTime()) return [];
  const max = options.max ?? 100_000;
  // Widen to whole partitions, so a partially materialised edge partition counts as missing.
  const start = scheme.partitionOf(from).start;
  const end = to.getTime() > scheme.partitionOf(to).start.getTime() ? scheme.partitionOf(to).end : to;
  const missing: TimePartition[] = [];
  let lastKey: string | undefined;
  for (const gap of materialised.missing(start, end)) {
    for (const partition of scheme.partitionsBetween(gap.start, gap.end)) {
      // A partition with holes on both sides of a covered middle shows up in two gaps.
      if (partition.key === lastKey) continue;
      lastKey = partition.key;
      missing.push(partition);
      if (missing.length > max) {
        throw new ConfigError(
          `more than ${max} ${scheme.grain} partitions are missing between ${from.toISOString()} and ${to.toISOString()}: narrow the range`,
        );
      }
    }
  }
  return missing;
}

/** Records a partition as materialised (the range set stays merged). */
export function markMaterialised(materialised: RangeSet, partition: { start: Date; end: Date }): RangeSet {
  return materialised.add(partition.start, partition.end);
}
