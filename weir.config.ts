/**
 * This repository's own project config: its pipelines are the examples, so
 * `weir pipelines list` here shows them with their schedules, and `weir run customers`
 * finds `examples/customers/pipeline.ts` by its id.
 *
 * Notification channels name their secrets, never hold them: set WEIR_SMTP_PASSWORD and
 * WEIR_SLACK_WEBHOOK_URL in the environment of `weir scheduler` to have them delivered
 * (without them the scheduler says so at start-up and runs anyway).
 */
import { defineConfig } from "weir";

export default defineConfig({
  pipelines: ["examples"],
  streams: ["examples"],
  warehouseModels: ["examples"],
  notifications: {
    channels: {
      "data-team-email": {
        type: "email",
        host: process.env.WEIR_SMTP_HOST ?? "localhost",
        port: Number(process.env.WEIR_SMTP_PORT ?? 587),
        user: "weir",
        password: { env: "WEIR_SMTP_PASSWORD" },
        from: "weir@example.com",
        to: ["data-team@example.com"],
      },
      "data-team-slack": { type: "webhook", url: { env: "WEIR_SLACK_WEBHOOK_URL" } },
    },
  },
  scheduler: { tick: "5s", heartbeatTimeout: "2m", maxConcurrentRuns: 4 },
});
