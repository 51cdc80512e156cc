import { redactSecrets } from "../config/secret.js";
import type { Notification } from "./notification.js";

export interface FormattedNotification {
  /** One line: an e-mail subject, a chat message's first line. */
  title: string;
  /** The facts, one per line ("key: value"). */
  lines: string[];
}

const TITLES: Record<Notification["kind"], string> = {
  failure: "failed",
  retry: "will retry",
  success: "succeeded",
  sla_miss: "missed its SLA",
};

/**
 * The human text of a notification, shared by every channel so mail and chat say the same
 * thing. Every string is scrubbed of registered secrets: an error message may quote a URL
 * or a connection string with a password in it.
 *
 * @example
 * formatNotification({ kind: "failure", pipeline: "customers", taskId: "load", … }).title
 * // "[weir] customers failed: task load (2024-01-15)"
 */
export function formatNotification(n: Notification): FormattedNotification {
  const day = n.logicalDate.endsWith("T00:00:00.000Z") ? n.logicalDate.slice(0, 10) : n.logicalDate;
  const what = n.taskId ? `: task ${n.taskId}` : "";
  const title = `[weir] ${n.pipeline} ${TITLES[n.kind]}${what} (${day})`;
  const lines = [
    `pipeline: ${n.pipeline}`,
    `run: ${n.runId}`,
    `logical date: ${n.logicalDate}`,
    ...(n.taskId ? [`task: ${n.taskId}`] : []),
    ...(n.attempt === undefined ? [] : [`attempt: ${n.attempt}`]),
    ...(n.nextAttemptAt ? [`next attempt at: ${n.nextAttemptAt}`] : []),
    ...(n.deadline ? [`deadline: ${n.deadline}`] : []),
    ...(n.error ? [`error: ${n.error}`] : []),
    ...(n.owner ? [`owner: ${n.owner}`] : []),
    `at: ${n.at}`,
  ];
  return { title: redactSecrets(title), lines: lines.map(redactSecrets) };
}
