import { type FormEvent, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { ApiError, api, segment } from "../api/client.js";
import type { Pipeline, RunSummary } from "../api/types.js";
import { parseParams } from "../runs/parse-params.js";
import { ErrorMessage } from "./error-message.js";
import { Modal } from "./modal.js";

interface TriggerDialogProps {
  pipeline: Pipeline;
  onTriggered: (run: RunSummary) => void;
  onClose: () => void;
}

/**
 * Trigger with options: a logical date (empty: the latest complete interval, as a plain
 * trigger) and params as a JSON object, checked before anything is sent. A date that
 * already has a run answers 409 RUN_CONFLICT, shown with a link to that run.
 */
export function TriggerDialog({ pipeline, onTriggered, onClose }: TriggerDialogProps) {
  const [logicalDate, setLogicalDate] = useState("");
  const [paramsText, setParamsText] = useState("");
  const [paramsError, setParamsError] = useState<string>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const paramsRef = useRef<HTMLTextAreaElement>(null);
  const ids = { date: useId(), dateHint: useId(), params: useId(), paramsHint: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const parsed = parseParams(paramsText);
    if (!parsed.ok) {
      setParamsError(parsed.error);
      paramsRef.current?.focus();
      return;
    }
    setParamsError(undefined);
    setBusy(true);
    try {
      const body: { logicalDate?: string; params?: Record<string, string> } = {};
      if (logicalDate) body.logicalDate = logicalDate;
      if (parsed.params) body.params = parsed.params;
      const { run } = await api<{ run: RunSummary }>(`/api/pipelines/${segment(pipeline.id)}/runs`, {
        method: "POST",
        body,
      });
      onTriggered(run);
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
    } finally {
      setBusy(false);
    }
  }

  const conflict =
    error instanceof ApiError && error.code === "RUN_CONFLICT" ? conflictRun(error) : undefined;
  return (
    <Modal title={`Trigger ${pipeline.id}`} onClose={onClose} testId="trigger-dialog">
      <form className="dialog-form" onSubmit={submit} noValidate>
        <label htmlFor={ids.date}>Logical date</label>
        <input
          id={ids.date}
          name="logicalDate"
          type="date"
          value={logicalDate}
          aria-describedby={ids.dateHint}
          onChange={(event) => setLogicalDate(event.target.value)}
        />
        <p id={ids.dateHint} className="hint">
          The run covers the interval holding this date. Empty: the latest complete interval.
        </p>
        <label htmlFor={ids.params}>Params (JSON object)</label>
        <textarea
          ref={paramsRef}
          id={ids.params}
          name="params"
          rows={5}
          spellCheck={false}
          placeholder={'{"region": "eu", "full_refresh": true}'}
          value={paramsText}
          aria-invalid={paramsError ? true : undefined}
          aria-describedby={ids.paramsHint}
          onChange={(event) => {
            setParamsText(event.target.value);
            setParamsError(undefined);
          }}
        />
        {paramsError ? (
          <p id={ids.paramsHint} className="error" role="alert" data-testid="params-error">
            {paramsError}
          </p>
        ) : (
          <p id={ids.paramsHint} className="hint">
            Tasks read them as <code>ctx.params</code>; values are stored as strings. Empty: none.
          </p>
        )}
        <ErrorMessage error={error} />
        {conflict && (
          <p>
            <Link to={`/runs/${encodeURIComponent(conflict)}`} data-testid="conflict-run">
              Open the existing run
            </Link>{" "}
            <span className="muted">(retry it there instead)</span>
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy} data-testid="trigger-submit">
            {busy ? "Triggering…" : "Trigger"}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The run that already holds the logical date a trigger asked for. */
function conflictRun(error: ApiError): string | undefined {
  const runId = (error.details as { runId?: unknown } | undefined)?.runId;
  return typeof runId === "string" ? runId : undefined;
}
