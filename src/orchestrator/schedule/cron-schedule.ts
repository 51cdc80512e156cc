import { Cron } from "croner";
import type { DataInterval } from "../../core/interval.js";
import { describeCron } from "./describe-cron.js";
import type { Schedule } from "./schedule.js";

/**
 * A cron pattern in a time zone, computed by croner. croner's DST rules are the ones we
 * document on `Schedule`; croner strips milliseconds, so `next`/`previous` are exact on
 * whole seconds and a cron fire time never has milliseconds.
 */
export class CronSchedule implements Schedule {
  readonly kind = "cron" as const;
  readonly description: string;
  private readonly cron: Cron;

  constructor(
    readonly expression: string,
    readonly pattern: string,
    readonly timezone: string,
  ) {
    // Five fields only (minute precision, like Airflow); OR between day-of-month and
    // day-of-week like Vixie cron. `paused` so croner never starts a timer.
    this.cron = new Cron(pattern, { timezone, mode: "5-part", paused: true });
    this.description = describeCron(pattern, timezone);
  }

  next(after: Date): Date | undefined {
    return this.cron.nextRun(after) ?? undefined;
  }

  previous(before: Date): Date | undefined {
    return this.cron.previousRuns(1, before)[0];
  }

  matches(date: Date): boolean {
    // A fire time is a whole minute; croner's match() reads the wall clock, which would
    // accept both occurrences of a repeated local time, so ask "is the next fire after
    // (date - 1ms) exactly date" instead.
    return this.next(new Date(date.getTime() - 1))?.getTime() === date.getTime();
  }

  floor(date: Date): Date | undefined {
    return this.matches(date) ? new Date(date.getTime()) : this.previous(date);
  }

  ceil(date: Date): Date | undefined {
    return this.matches(date) ? new Date(date.getTime()) : this.next(date);
  }

  interval(logicalDate: Date): DataInterval {
    const start = this.floor(logicalDate) ?? new Date(logicalDate.getTime());
    const end = this.next(start) ?? new Date(start.getTime());
    return { start, end };
  }
}
