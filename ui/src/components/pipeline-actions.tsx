import { useState } from "react";
import { Link } from "react-router";
import { api, segment } from "../api/client.js";
import { hasRole, usePrincipal } from "../api/session.js";
import type { Pipeline, RunSummary } from "../api/types.js";
import { ErrorMessage } from "./error-message.js";
import { TriggerDialog } from "./trigger-dialog.js";

interface PipelineActionsProps {
  pipeline: Pipeline;
  onTriggered?: (run: RunSummary) => void;
  onChanged?: (pipeline: Pipeline) => void;
}

const NEEDS_OPERATOR = "needs the operator role";

/**
 * Trigger a manual run (a dialog: logical date and params); pause or unpause the schedule.
 * Disabled below the operator role.
 */
export function PipelineActions({ pipeline, onTriggered, onChanged }: PipelineActionsProps) {
  const principal = usePrincipal();
  const allowed = hasRole(principal, "operator");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [dialogOpen, setDialogOpen] = useState(false);
  const [queued, setQueued] = useState<RunSummary>();

  async function act(work: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
    } finally {
      setBusy(false);
    }
  }

  const triggered = (run: RunSummary) => {
    setDialogOpen(false);
    setQueued(run);
    onTriggered?.(run);
  };
  const togglePause = () =>
    act(async () => {
      const verb = pipeline.paused ? "unpause" : "pause";
      const answer = await api<{ pipeline: Pipeline }>(`/api/pipelines/${segment(pipeline.id)}/${verb}`, {
        method: "POST",
      });
      onChanged?.(answer.pipeline);
    });

  return (
    <div className="actions">
      <button
        type="button"
        data-testid={`trigger-${pipeline.id}`}
        disabled={!allowed || busy}
        title={allowed ? `Queue a manual run of ${pipeline.id}` : NEEDS_OPERATOR}
        aria-haspopup="dialog"
        onClick={() => {
          setError(undefined);
          setDialogOpen(true);
        }}
      >
        Trigger
      </button>
      <button
        type="button"
        className="secondary"
        data-testid={`pause-${pipeline.id}`}
        disabled={!allowed || busy}
        title={allowed ? undefined : NEEDS_OPERATOR}
        onClick={() => void togglePause()}
      >
        {pipeline.paused ? "Unpause" : "Pause"}
      </button>
      {queued && (
        <span className="muted" role="status" data-testid="triggered-run">
          queued{" "}
          <Link to={`/runs/${encodeURIComponent(queued.id)}`} state={{ run: queued }}>
            the run for {queued.logicalDate}
          </Link>
        </span>
      )}
      <ErrorMessage error={error} />
      {dialogOpen && (
        <TriggerDialog pipeline={pipeline} onTriggered={triggered} onClose={() => setDialogOpen(false)} />
      )}
    </div>
  );
}
