import { Hono } from "hono";
import type { PartitionStatus } from "../../streaming/contracts.js";
import { badRequest, notFound } from "../api-error.js";
import { auditRequest } from "../audit-request.js";
import type { AuthEnv } from "../auth/auth-env.js";
import type { Guards } from "../guards.js";
import { readJsonBody } from "../read-json-body.js";
import type { ServerContext } from "../server-context.js";
import type { StreamResetter } from "../server-options.js";

export interface StreamSummary {
  job: string;
  partitions: number;
  /** running: a live process holds a partition's lease; idle: none does. */
  state: "running" | "idle";
  watermark?: string;
  lagMs?: number;
  lastCheckpointAt?: string;
}

/** `/api/streams`: stream jobs from their partitions' checkpoints and leases; reset. */
export function streamRoutes(ctx: ServerContext, guards: Guards): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/", guards.viewer, async (c) => {
    const byJob = new Map<string, PartitionStatus[]>();
    for (const p of await ctx.store.streams.list()) byJob.set(p.job, [...(byJob.get(p.job) ?? []), p]);
    const now = ctx.clock.now().getTime();
    const items = [...byJob.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([job, parts]) => streamSummary(job, parts, now));
    return c.json({ items });
  });

  app.get("/:job", guards.viewer, async (c) => {
    const job = c.req.param("job");
    const parts = await ctx.store.streams.list(job);
    if (parts.length === 0) throw notFound(`stream job "${job}"`, { job });
    return c.json({
      ...streamSummary(job, parts, ctx.clock.now().getTime()),
      partitions: parts.map((p) => ({
        partition: p.partition,
        ...(p.checkpoint?.watermark != null
          ? { watermark: new Date(p.checkpoint.watermark).toISOString() }
          : {}),
        ...(p.checkpoint ? { offset: p.checkpoint.position, checkpointAt: p.checkpoint.committedAt } : {}),
        ...(p.checkpoint
          ? { lateEvents: p.checkpoint.counts.late, deadLetters: p.checkpoint.counts.deadLettered }
          : {}),
      })),
    });
  });

  app.post("/:job/reset", guards.operator, async (c) => {
    const job = c.req.param("job");
    const body = await readJsonBody(c);
    const to = body.to ?? "earliest";
    if (typeof to !== "string") throw badRequest('to must be "earliest", "latest" or an ISO-8601 instant');
    const reset = ctx.options.streamReset ?? storeOnlyReset(ctx);
    const partitions = await reset(job, to);
    await auditRequest(ctx, c, "stream.reset", { job, to, partitions });
    return c.json({ job, reset: true, partitions });
  });

  return app;
}

/**
 * Without the job's source (a server that does not load stream jobs): back to the start of
 * every partition the store knows, the file replay's and a fresh NATS stream's position 0.
 */
function storeOnlyReset(ctx: ServerContext): StreamResetter {
  return async (job, to) => {
    if (to !== "earliest") {
      throw badRequest(
        `this server resets streams to "earliest" only (it does not load stream jobs); use weir stream reset --to ${to}`,
      );
    }
    const parts = await ctx.store.streams.list(job);
    if (parts.length === 0) throw notFound(`stream job "${job}"`, { job });
    for (const p of parts) await ctx.store.streams.reset(job, p.partition, 0);
    return parts.map((p) => ({ partition: p.partition, after: 0 }));
  };
}

function streamSummary(job: string, parts: readonly PartitionStatus[], now: number): StreamSummary {
  const live = parts.some((p) => p.owner && p.leaseExpiresAt && Date.parse(p.leaseExpiresAt) > now);
  const watermarks = parts
    .map((p) => p.checkpoint?.watermark)
    .filter((w): w is number => typeof w === "number");
  const eventTimes = parts
    .map((p) => p.checkpoint?.maxEventTime)
    .filter((t): t is number => typeof t === "number");
  const checkpoints = parts
    .map((p) => p.checkpoint?.committedAt)
    .filter((t): t is string => !!t)
    .sort();
  // The job is as far as its slowest partition.
  const watermark =
    watermarks.length === parts.length && watermarks.length > 0 ? Math.min(...watermarks) : undefined;
  const newest = eventTimes.length > 0 ? Math.max(...eventTimes) : undefined;
  return {
    job,
    partitions: parts.length,
    state: live ? "running" : "idle",
    ...(watermark === undefined ? {} : { watermark: new Date(watermark).toISOString() }),
    ...(newest === undefined ? {} : { lagMs: Math.max(0, now - newest) }),
    ...(checkpoints.length > 0 ? { lastCheckpointAt: checkpoints[checkpoints.length - 1] } : {}),
  };
}
