import { pad2 } from "./zoned-time.js";

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const SINGLE = /^\d+$/;

/**
 * A short English description of the common cron shapes ("daily at 02:00", "hourly at :15",
 * "weekly on Monday at 06:00", "monthly on day 1 at 00:00"); other patterns are described
 * as themselves ("cron 0 *\/6 1-15 * *"). Only for humans — never parsed back.
 */
export function describeCron(pattern: string, timezone: string): string {
  const [minute = "", hour = "", dom = "", month = "", dow = ""] = pattern.trim().split(/\s+/);
  const zone = ` (${timezone})`;
  const fixedMinute = SINGLE.test(minute);
  const time = fixedMinute && SINGLE.test(hour) ? `${pad2(Number(hour))}:${pad2(Number(minute))}` : undefined;
  if (fixedMinute && hour === "*" && dom === "*" && month === "*" && dow === "*") {
    return `hourly at :${pad2(Number(minute))}${zone}`;
  }
  if (time && month === "*") {
    if (dom === "*" && dow === "*") return `daily at ${time}${zone}`;
    if (dom === "*" && SINGLE.test(dow)) return `weekly on ${DAY_NAMES[Number(dow)]} at ${time}${zone}`;
    if (dom === "*" && dow === "1-5") return `weekdays at ${time}${zone}`;
    if (SINGLE.test(dom) && dow === "*") return `monthly on day ${Number(dom)} at ${time}${zone}`;
  }
  if (time && SINGLE.test(dom) && SINGLE.test(month) && dow === "*") {
    return `yearly on ${Number(month)}/${Number(dom)} (month/day) at ${time}${zone}`;
  }
  return `cron ${pattern}${zone}`;
}
