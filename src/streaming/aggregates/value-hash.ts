/**
 * A 64-bit hash of an event value as two 32-bit lanes, computed without allocating: the
 * lanes land in the hasher's fields instead of a returned pair. The mixing is cyrb53's two
 * multiply-xor lanes over UTF-16 code units with MurmurHash3's finalizer on each lane, so
 * every output bit depends on every input bit (HyperLogLog reads the low bits of one lane
 * and the leading zeros of the other). Strings, numbers and booleans hash apart (`1` and
 * `"1"` are different values, as in count_distinct).
 */
export class ValueHasher {
  /** High lane of the last hash (unsigned). */
  h1 = 0;
  /** Low lane of the last hash (unsigned). */
  h2 = 0;
  private readonly float = new Float64Array(1);
  private readonly words = new Uint32Array(this.float.buffer);

  /** Hashes `value` into h1/h2; false (and nothing hashed) for values that are not hashable. */
  hash(value: unknown): boolean {
    switch (typeof value) {
      case "string":
        this.hashString(value);
        return true;
      case "number":
        if (!Number.isFinite(value)) return false;
        // -0 and 0 are one value (as in a Set).
        this.float[0] = value === 0 ? 0 : value;
        this.mix(NUMBER_SEED, this.words[0]!, this.words[1]!);
        return true;
      case "boolean":
        this.mix(BOOLEAN_SEED, value ? 1 : 0, 0);
        return true;
      default:
        return false;
    }
  }

  private hashString(text: string): void {
    let h1 = 0xdeadbeef ^ STRING_SEED;
    let h2 = 0x41c6ce57 ^ STRING_SEED;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.finish(h1, h2);
  }

  private mix(seed: number, a: number, b: number): void {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    h1 = Math.imul(h1 ^ a, 2654435761);
    h2 = Math.imul(h2 ^ a, 1597334677);
    h1 = Math.imul(h1 ^ b, 2654435761);
    h2 = Math.imul(h2 ^ b, 1597334677);
    this.finish(h1, h2);
  }

  private finish(a: number, b: number): void {
    let h1 = Math.imul(a ^ (a >>> 16), 2246822507);
    h1 ^= Math.imul(b ^ (b >>> 13), 3266489909);
    let h2 = Math.imul(b ^ (b >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    this.h1 = fmix32(h1);
    this.h2 = fmix32(h2);
  }
}

const STRING_SEED = 0x5f3759df;
const NUMBER_SEED = 0x2545f491;
const BOOLEAN_SEED = 0x9e3779b9;

/** MurmurHash3's 32-bit finalizer (avalanche). */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
