/**
 * Part 1 of the server benchmark: `GET /api/runs` over a seeded store, through the real
 * server, and the same `runs.list` calls on the store alone (the API's overhead).
 *
 * Kinds of request, mixed round-robin:
 *   first          ?limit=50 (the runs page of the UI)
 *   page-<d>       the page reached by following nextCursor d−1 times (deep keyset page)
 *   pipeline       ?pipeline=<the busiest pipeline>
 *   pipeline-deep  that pipeline's page 20 (or its last)
 *   failed         ?state=failed (~6% of runs)
 *   succeeded      ?state=succeeded (~94% of runs)
 *   running        ?state=running (a handful of runs: the filter finds almost nothing)
 */

import type { ListRunsOptions, MetadataStore } from "../src/metadata/metadata-store.js";
import { fetchOrSay, type LatencyStats, type Samples, statsOf, type TimedCall } from "./server-latency.js";

export interface RunsListOptions {
  /** The page the deep kind reaches (capped at the last page). */
  deepPage: number;
  pageSize: number;
}

/** The calls of one served store: through the API, on the store alone, and the HTTP floor. */
export interface RunsListTarget {
  api: TimedCall[];
  store: TimedCall[];
  /** `GET /api/health`: what any request through the server and the client costs at least. */
  health: TimedCall[];
  /** Following nextCursor from page 1 to the deep page, one request at a time. */
  walk: { pages: number; stats: LatencyStats };
  /** The deep kind's label, e.g. "page-1000". */
  deepKind: string;
}

interface ListCase {
  kind: string;
  query: Record<string, string>;
}

interface RunsPage {
  items: { id: string; startedAt: string }[];
  nextCursor: string | null;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetchOrSay(url);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

const queryString = (q: Record<string, string>) => new URLSearchParams(q).toString();

/** The cursor's key, as the server encodes it (base64url JSON `[startedAt, id]`). */
function cursorKey(cursor: string): { startedAt: string; id: string } {
  const [startedAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
  return { startedAt, id };
}

/** Follows nextCursor up to `page`; returns the cursor of that page (undefined for page 1) and each request's ms. */
async function walk(
  baseUrl: string,
  query: Record<string, string>,
  page: number,
): Promise<{ cursor: string | undefined; reached: number; times: number[] }> {
  let cursor: string | undefined;
  let reached = 1;
  const times: number[] = [];
  while (reached < page) {
    const t = performance.now();
    const body = await getJson<RunsPage>(
      `${baseUrl}/api/runs?${queryString({ ...query, ...(cursor ? { cursor } : {}) })}`,
    );
    times.push(performance.now() - t);
    if (body.nextCursor === null) break;
    cursor = body.nextCursor;
    reached++;
  }
  return { cursor, reached, times };
}

/** Walks to the deep pages (timing the walk) and builds the calls of every kind. */
export async function prepareRunsList(
  store: MetadataStore,
  baseUrl: string,
  busiestPipeline: string,
  options: RunsListOptions,
): Promise<RunsListTarget> {
  const limit = String(options.pageSize);
  const deep = await walk(baseUrl, { limit }, options.deepPage);
  const pipelineDeep = await walk(baseUrl, { limit, pipeline: busiestPipeline }, 20);
  const deepKind = `page-${deep.reached}`;
  const cases: ListCase[] = [
    { kind: "first", query: { limit } },
    { kind: deepKind, query: { limit, ...(deep.cursor ? { cursor: deep.cursor } : {}) } },
    { kind: "pipeline", query: { limit, pipeline: busiestPipeline } },
    {
      kind: `pipeline-page-${pipelineDeep.reached}`,
      query: {
        limit,
        pipeline: busiestPipeline,
        ...(pipelineDeep.cursor ? { cursor: pipelineDeep.cursor } : {}),
      },
    },
    { kind: "failed", query: { limit, state: "failed" } },
    { kind: "succeeded", query: { limit, state: "succeeded" } },
    { kind: "running", query: { limit, state: "running" } },
  ];

  const api: TimedCall[] = cases.map((c) => {
    const url = `${baseUrl}/api/runs?${queryString(c.query)}`;
    return {
      kind: c.kind,
      call: async () => {
        const body = await getJson<RunsPage>(url);
        if (body.items.length === 0) throw new Error(`${url} answered no runs`);
      },
    };
  });
  // The store alone: what the route asks for (limit + 1 rows: the extra one says a next page exists).
  const alone: TimedCall[] = cases.map((c) => {
    const list: ListRunsOptions = {
      ...(c.query.pipeline ? { pipeline: c.query.pipeline } : {}),
      ...(c.query.state ? { states: [c.query.state as "failed"] } : {}),
      ...(c.query.cursor ? { before: cursorKey(c.query.cursor) } : {}),
      limit: options.pageSize + 1,
    };
    return {
      kind: c.kind,
      call: async () => {
        await store.runs.list(list);
      },
    };
  });
  const health: TimedCall[] = [
    {
      kind: "health",
      call: async () => {
        await getJson<{ ok: boolean }>(`${baseUrl}/api/health`);
      },
    },
  ];
  return { api, store: alone, health, walk: { pages: deep.reached, stats: statsOf(deep.times) }, deepKind };
}

/** p50/p99 of samples, by kind and all together. */
export function summarize(samples: Samples): {
  byKind: Map<string, LatencyStats>;
  all: LatencyStats;
  perSecond: number;
} {
  return {
    byKind: new Map([...samples.byKind].map(([k, v]) => [k, statsOf(v)])),
    all: statsOf(samples.all),
    perSecond: (samples.all.length / samples.wallMs) * 1000,
  };
}
