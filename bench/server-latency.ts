/** Latency sampling for the server benchmark: calls with a fixed concurrency, percentiles. */

/** One kind of call, measured on its own and in the mix. */
export interface TimedCall {
  kind: string;
  call(): Promise<void>;
}

export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of `samples` (ms); NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function statsOf(samples: readonly number[]): LatencyStats {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.length ? Math.max(...samples) : Number.NaN,
  };
}

/** Latencies (ms) by kind and all together, and the wall time they took. */
export interface Samples {
  byKind: Map<string, number[]>;
  all: number[];
  wallMs: number;
}

export function emptySamples(): Samples {
  return { byKind: new Map(), all: [], wallMs: 0 };
}

/**
 * Runs `total` calls, taken round-robin from `calls`, `concurrency` at a time (each worker
 * starts its next call when its last one ends, as `concurrency` clients would), after
 * `warmup` untimed calls. Adds each call's latency to `into` (or new samples) and returns them.
 */
export async function measureCalls(
  calls: readonly TimedCall[],
  options: { total: number; concurrency: number; warmup?: number },
  into?: Samples,
): Promise<Samples> {
  for (let i = 0; i < (options.warmup ?? 0); i++) await calls[i % calls.length]!.call();
  const samples = into ?? emptySamples();
  const { byKind, all } = samples;
  for (const c of calls) if (!byKind.has(c.kind)) byKind.set(c.kind, []);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= options.total) return;
      const c = calls[i % calls.length]!;
      const t = performance.now();
      await c.call();
      const ms = performance.now() - t;
      byKind.get(c.kind)!.push(ms);
      all.push(ms);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  samples.wallMs += performance.now() - started;
  return samples;
}

/** `12.3` style milliseconds. */
export const ms = (n: number) => (Number.isNaN(n) ? "n/a" : n < 10 ? n.toFixed(2) : n.toFixed(1));

/** Requests sent again after a kept-alive connection was reset (see `fetchOrSay`). */
export const resets = { count: 0 };

/**
 * `fetch`, with the reason a failed request failed (undici's "fetch failed" hides it in
 * `cause`). A GET on a kept-alive connection the server closed as idle at that very moment
 * fails with ECONNRESET: a race of the client's connection pool, not the server's answer,
 * so it is sent once more (and counted in `resets`).
 */
export async function fetchOrSay(url: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (attempt === 1 && (cause?.code === "ECONNRESET" || cause?.code === "UND_ERR_SOCKET")) {
        resets.count++;
        continue;
      }
      throw new Error(`GET ${url} failed: ${cause?.message ?? String(error)}`, { cause: error });
    }
  }
}
