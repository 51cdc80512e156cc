import { createHash } from "node:crypto";
import { ConfigError } from "../../core/errors.js";

/**
 * Names a NATS stream source derives: the partition names, the subject each partition
 * reads, and the durable consumer each partition task owns. Partition `p` of a
 * partitioned subject `user-events` is the subject `user-events.<p>`, so publishers route
 * by appending the partition number and a consumer filters on exactly one subject.
 */

/** `"0"`…`"n-1"` for `partitions` = n > 0, else the one partition `"0"`. */
export function partitionNames(partitions: number | undefined): string[] {
  const count = partitions === undefined || partitions <= 0 ? 1 : partitions;
  return Array.from({ length: count }, (_, p) => String(p));
}

/** The subject partition `partition` reads; refuses a name that is not one of the source's partitions. */
export function partitionSubject(subject: string, partitions: number | undefined, partition: string): string {
  const names = partitionNames(partitions);
  if (!names.includes(partition)) {
    throw new ConfigError(
      `NATS source ${subject} has no partition "${partition}" (it has ${names.join(", ")})`,
    );
  }
  return partitions !== undefined && partitions > 0 ? `${subject}.${partition}` : subject;
}

/**
 * The durable consumer of one partition: `<durablePrefix>-<partition>`. Consumer names may
 * not hold `.`, `*`, `>`, whitespace or path separators; anything outside `[A-Za-z0-9_-]`
 * becomes `_`, and a sanitized name gets a short hash of the original so two job ids that
 * differ only in such characters never share (and delete) each other's consumer.
 */
export function consumerName(durablePrefix: string, partition: string): string {
  const raw = `${durablePrefix}-${partition}`;
  const safe = raw.replace(/[^A-Za-z0-9_-]/g, "_");
  if (safe === raw) return raw;
  return `${safe}-${createHash("sha256").update(raw).digest("hex").slice(0, 8)}`;
}
