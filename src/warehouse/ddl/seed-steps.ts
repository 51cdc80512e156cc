import { tableLabel } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { dateRowsInsert, dateRowsPresent, daysBetween } from "../calendar/date-rows.js";
import { timeRowCount, timeRowsInsert, timeRowsPresent } from "../calendar/time-rows.js";
import { modelTable, type TableModel } from "../model/define-warehouse.js";
import type { PlanStep } from "./plan-step.js";
import { hasUnknownMember, unknownMemberInsert } from "./unknown-member.js";

async function count(engine: Engine, q: { sql: string; params: unknown[] }): Promise<number> {
  const [row] = await engine.query<{ n: unknown }>(q.sql, q.params);
  return Number(row?.n ?? 0);
}

/**
 * Rows weir generates for a table: the calendar dimensions' dates and times, a dimension's
 * unknown member. Each is one set-based INSERT that adds only missing keys; the step is
 * planned only when rows are missing (`tableIsNew`: all of them).
 */
export async function seedSteps(engine: Engine, model: TableModel, tableIsNew: boolean): Promise<PlanStep[]> {
  const table = tableLabel(modelTable(model));
  const step = (q: { sql: string; params: unknown[] }, reason: string): PlanStep => ({
    table,
    kind: "insert-rows",
    sql: [q.sql],
    ...(q.params.length > 0 ? { params: [q.params] } : {}),
    destructive: false,
    reason,
  });
  switch (model.kind) {
    case "date-dimension": {
      const days = daysBetween(model.from, model.to);
      const held = tableIsNew ? 0 : await count(engine, dateRowsPresent(engine, model));
      if (held >= days) return [];
      return [
        step(
          dateRowsInsert(engine, model),
          `${days - held} of ${days} dates ${model.from}..${model.to} are missing`,
        ),
      ];
    }
    case "time-dimension": {
      const rows = timeRowCount(model);
      const held = tableIsNew ? 0 : await count(engine, timeRowsPresent(engine, model));
      if (held >= rows) return [];
      return [
        step(
          timeRowsInsert(engine, model),
          `${rows - held} of ${rows} ${model.grain}s of the day are missing`,
        ),
      ];
    }
    case "dimension": {
      const insert = unknownMemberInsert(engine, model);
      if (!insert || (!tableIsNew && (await hasUnknownMember(engine, model)))) return [];
      return [step(insert, `the unknown member (key ${model.unknownMember!.key}) is missing`)];
    }
    default:
      return [];
  }
}
