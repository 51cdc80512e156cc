/**
 * What a pipeline tells people about: a run or task failed, a task will be retried, a run
 * succeeded, or a run missed its SLA (not finished within the agreed time after it fell
 * due). Built by the scheduler and the CLI from run events; sent by channels.
 */
export type NotificationKind = "failure" | "retry" | "success" | "sla_miss";

export const NOTIFICATION_KINDS: readonly NotificationKind[] = ["failure", "retry", "success", "sla_miss"];

export interface Notification {
  kind: NotificationKind;
  pipeline: string;
  runId: string;
  /** The run's logical date, ISO-8601. */
  logicalDate: string;
  /** The task concerned (failure and retry of a task). */
  taskId?: string;
  /** The attempt that failed (retry, failure). */
  attempt?: number;
  /** When the next attempt starts (retry), ISO-8601. */
  nextAttemptAt?: string;
  /** The error message (failure, retry). Scrubbed of secrets before sending. */
  error?: string;
  /** For sla_miss: the deadline that passed, ISO-8601. */
  deadline?: string;
  /** The pipeline's owner, shown to whoever is paged. */
  owner?: string;
  /** When it happened, ISO-8601. */
  at: string;
}

/**
 * A place notifications go. `send` rejects when delivery failed (the notifier logs it and
 * carries on: a broken mail server never fails a run).
 */
export interface NotificationChannel {
  /** The channel's name in the project config, e.g. "ops-email". */
  readonly name: string;
  readonly type: string;
  send(notification: Notification): Promise<void>;
  close?(): Promise<void>;
}
