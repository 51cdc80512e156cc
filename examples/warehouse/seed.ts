/**
 * Writes the warehouse example's data under `<home>/sources/warehouse/`: 7 daily users
 * snapshots and the events of those days (see generate-data.ts).
 *
 * Run: `node --import tsx examples/warehouse/seed.ts [users=10000] [events=200000]`, then
 * `weir backfill warehouse --from 2024-06-01 --to 2024-06-07`.
 */
import { join } from "node:path";
import { weirPaths } from "weir";
import { generateWarehouseData } from "./generate-data.js";

const users = Number(process.argv[2] ?? 10_000);
const events = Number(process.argv[3] ?? 200_000);
const dir = join(weirPaths().home, "sources", "warehouse");
const data = generateWarehouseData(dir, { users, events });
console.log(
  `warehouse data (${data.source}): ${data.days.length} users snapshots in ${data.usersDir}, ` +
    `${data.events.lines} event lines (${data.events.malformed} malformed) in ${data.eventsDir}`,
);
