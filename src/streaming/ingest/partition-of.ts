/**
 * The partition a key belongs to: FNV-1a (32-bit) of the key's UTF-8 bytes, modulo the
 * partition count. Stable across processes and languages (no seed, no runtime hash), so
 * the ingest server, other publishers and tests route a key to the same subject
 * `<subject>.<p>`, and one user's events stay in one partition, in order.
 */
export function partitionOf(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions <= 0) return 0;
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
