import { useEffect, useRef } from "react";
import type { RunSummary, TaskEvent } from "./types.js";

export interface EventHandlers {
  run?: (run: RunSummary) => void;
  task?: (task: TaskEvent) => void;
}

/**
 * Subscribes to the server's event stream (`/api/events`, optionally one run's) for as
 * long as the component is mounted. EventSource reconnects by itself after a drop; the
 * handlers are read through a ref so a re-render does not reopen the stream.
 */
export function useEvents(handlers: EventHandlers, options: { runId?: string } = {}): void {
  const current = useRef(handlers);
  current.current = handlers;
  const runId = options.runId;

  useEffect(() => {
    const url = runId ? `/api/events?runId=${encodeURIComponent(runId)}` : "/api/events";
    const source = new EventSource(url, { withCredentials: true });
    const onRun = (event: MessageEvent<string>) => {
      const run = parse<RunSummary>(event.data);
      if (run) current.current.run?.(run);
    };
    const onTask = (event: MessageEvent<string>) => {
      const task = parse<TaskEvent>(event.data);
      if (task) current.current.task?.(task);
    };
    source.addEventListener("run", onRun);
    source.addEventListener("task", onTask);
    return () => source.close();
  }, [runId]);
}

function parse<T>(data: string): T | undefined {
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}
