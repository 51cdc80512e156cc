/**
 * The daily warehouse load (tasks in warehouse-pipeline.ts): at 03:00 UTC, one active run
 * at a time (the SCD2 dimension takes snapshots in date order), two retries 5 minutes apart.
 *
 * Data: `node --import tsx examples/warehouse/seed.ts` writes 7 days of users snapshots and
 * events under `<home>/sources/warehouse/` (params `users` and `events` point elsewhere).
 * Run: `weir backfill warehouse --from 2024-06-01 --to 2024-06-07`, or on PostgreSQL with
 * `WEIR_WAREHOUSE_URL=postgres://…` set.
 */
import { warehousePipeline } from "./warehouse-pipeline.js";

export default warehousePipeline({
  schedule: "0 3 * * *",
  timezone: "UTC",
  startDate: "2024-06-01",
  catchup: false,
  maxActiveRuns: 1,
  retries: 2,
  retryDelay: "5m",
  tags: ["warehouse", "daily"],
});
