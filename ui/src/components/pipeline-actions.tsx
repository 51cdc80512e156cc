import { useState } from "react";
import { Link } from "react-router";
import { ApiError, api, segment } from "../api/client.js";
import { hasRole, usePrincipal } from "../api/session.js";
import type { Pipeline, RunSummary } from "../api/types.js";
import { ErrorMessage } from "./error-message.js";

interface PipelineActionsProps {
  pipeline: Pipeline;
  onTriggered?: (run: RunSummary) => void;
  onChanged?: (pipeline: Pipeline) => void;
}

const NEEDS_OPERATOR = "needs the operator role";

/** Trigger a manual run; pause or unpause the schedule. Disabled below the operator role. */
export function PipelineActions({ pipeline, onTriggered, onChanged }: PipelineActionsProps) {
  const principal = usePrincipal();
  const allowed = hasRole(principal, "operator");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

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

  const trigger = () =>
    act(async () => {
      const { run } = await api<{ run: RunSummary }>(`/api/pipelines/${segment(pipeline.id)}/runs`, {
        method: "POST",
        body: {},
      });
      onTriggered?.(run);
    });
  const togglePause = () =>
    act(async () => {
      const verb = pipeline.paused ? "unpause" : "pause";
      const answer = await api<{ pipeline: Pipeline }>(`/api/pipelines/${segment(pipeline.id)}/${verb}`, {
        method: "POST",
      });
      onChanged?.(answer.pipeline);
    });

  return (
    <span className="actions">
      <button
        type="button"
        data-testid={`trigger-${pipeline.id}`}
        disabled={!allowed || busy}
        title={allowed ? `Queue a manual run of ${pipeline.id}` : NEEDS_OPERATOR}
        onClick={() => void trigger()}
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
      <ErrorMessage error={error} />
      {error instanceof ApiError && error.code === "RUN_CONFLICT" && conflictRun(error) && (
        <Link to={`/runs/${encodeURIComponent(conflictRun(error) ?? "")}`}>open that run</Link>
      )}
    </span>
  );
}

/** The run that already holds the logical date a trigger asked for. */
function conflictRun(error: ApiError): string | undefined {
  const runId = (error.details as { runId?: unknown } | undefined)?.runId;
  return typeof runId === "string" ? runId : undefined;
}
