import { useCallback, useEffect, useRef, useState } from "react";
import { api, query } from "../api/client.js";
import type { Page, RunSummary } from "../api/types.js";
import { mergeRun } from "./merge-run.js";

const PAGE_SIZE = 200;

export interface RunPages {
  runs: RunSummary[];
  total?: number;
  hasMore: boolean;
  loading: boolean;
  error?: Error;
  loadMore: () => void;
  /** A live update: merged when the run is listed or matches the filter. */
  apply: (run: RunSummary) => void;
}

/** The runs list page by page over the API's keyset cursor; a new filter starts over. */
export function useRunPages(filter: { pipeline?: string; state?: string }): RunPages {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [total, setTotal] = useState<number>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error>();
  const inFlight = useRef<AbortController | undefined>(undefined);
  const { pipeline, state } = filter;

  const fetchPage = useCallback(
    (after: string | null) => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      setLoading(true);
      api<Page<RunSummary>>(`/api/runs${query({ pipeline, state, limit: PAGE_SIZE, cursor: after })}`, {
        signal: controller.signal,
      })
        .then((page) => {
          setRuns((current) => (after === null ? page.items : [...current, ...page.items]));
          if (page.total !== undefined) setTotal(page.total);
          setCursor(page.nextCursor);
          setHasMore(page.nextCursor !== null);
          setError(undefined);
        })
        .catch((cause: unknown) => {
          if (!controller.signal.aborted) setError(cause instanceof Error ? cause : new Error(String(cause)));
        })
        .finally(() => {
          if (!controller.signal.aborted) setLoading(false);
        });
    },
    [pipeline, state],
  );

  useEffect(() => {
    setRuns([]);
    setTotal(undefined);
    fetchPage(null);
    return () => inFlight.current?.abort();
  }, [fetchPage]);

  const loadMore = useCallback(() => {
    if (!loading && cursor !== null) fetchPage(cursor);
  }, [loading, cursor, fetchPage]);

  const apply = useCallback(
    (run: RunSummary) => {
      if (pipeline && run.pipeline !== pipeline) return;
      setRuns((current) => {
        const listed = current.some((existing) => existing.id === run.id);
        if (!listed && state && run.state !== state) return current;
        if (listed && state && run.state !== state)
          return current.filter((existing) => existing.id !== run.id);
        return mergeRun(current, run);
      });
    },
    [pipeline, state],
  );

  return { runs, total, hasMore, loading, error, loadMore, apply };
}
