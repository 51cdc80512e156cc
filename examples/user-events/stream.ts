/**
 * The user-events stream job: JSON events from the NATS JetStream subject `user-events`
 * (or a replayed NDJSON file) → parse against the declared schema (dead letters keep the
 * raw bytes, the error and the stream position) → watermark 10 s behind the newest event
 * time, 1 minute of allowed lateness (later events go to the late-events table with the
 * reason) → keep page views, clicks and purchases → derive `date` and `hour` →
 *   1. every kept event to the lake, `raw.events`, Hive-partitioned by date=/hour=;
 *   2. per user, per 5-minute tumbling event-time window, the event count, the number of
 *      distinct event types and the set of them, upserted into `user_metrics_real_time`
 *      by (window_start, user_id) every checkpoint (update mode).
 *
 * Both outputs are exactly once: a crash anywhere and a restart give the tables a run
 * that never crashed gives.
 *
 * Run: `weir stream run user-events` (NATS at WEIR_NATS_URL, default 127.0.0.1:4222), or
 * `weir stream run user-events --from-file events.ndjson` with
 * `node ../shared/datagen/datagen.mjs user-events 100000 events.ndjson`.
 */
import { collectSet, count, countDistinct, defineStreamJob, eventDate, eventHour, tumbling } from "weir";

const KEPT_TYPES = new Set(["page_view", "click", "purchase"]);

export default defineStreamJob({
  id: "user-events",
  description: "user events → raw.events (lake) and per-user 5-minute metrics (warehouse)",
  source: { type: "nats", subject: "user-events" },
  schema: {
    event_id: "integer",
    user_id: "string",
    event_type: "string",
    timestamp: "timestamp",
    session_id: "string?",
    page_url: "string?",
    referrer_url: "string?",
    properties: "object?",
  },
  eventTime: { field: "timestamp", maxOutOfOrderness: "10s", allowedLateness: "1m", idleTimeout: "30s" },
  filter: (event) => KEPT_TYPES.has(event.event_type as string),
  derive: { date: eventDate(), hour: eventHour() },
  events: { lake: "raw.events", partitionBy: ["date", "hour"] },
  windows: {
    window: tumbling("5m"),
    groupBy: ["user_id"],
    aggregates: {
      event_count: count(),
      unique_event_types: countDistinct("event_type"),
      event_types: collectSet("event_type"),
    },
    mode: "update",
    table: "user_metrics_real_time",
  },
});
