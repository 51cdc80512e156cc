import { messageOf } from "../../core/errors.js";
import { type Logger, warn } from "../../core/log.js";
import type { RunRecord } from "../../metadata/metadata-store.js";
import type { Notification, NotificationKind } from "../../notifications/notification.js";
import type { PipelineDefinition } from "../define-pipeline.js";

/**
 * Sends a run's notifications (retry, failure, success, SLA miss) without the run waiting
 * for them: a slow or failing channel is logged, never fatal. `settle()` waits for the
 * ones in flight before the run returns.
 */
export class RunNotifier {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly send: ((notification: Notification) => Promise<void>) | undefined,
    private readonly pipeline: PipelineDefinition,
    private readonly run: RunRecord,
    private readonly logger: Logger,
  ) {}

  notify(kind: NotificationKind, at: string, extra: Partial<Notification>): void {
    const send = this.send;
    if (!send) return;
    const { run, pipeline } = this;
    const notification: Notification = {
      kind,
      pipeline: pipeline.id,
      runId: run.id,
      logicalDate: run.logicalTime,
      ...(pipeline.owner ? { owner: pipeline.owner } : {}),
      at,
      ...extra,
    };
    const sent = send(notification).catch((error: unknown) => {
      warn(this.logger, `notification (${kind}) failed: ${messageOf(error)}`, { runId: run.id });
    });
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }

  /** Resolves when every notification sent so far has been delivered or has failed. */
  async settle(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}
