import { useCallback, useEffect, useRef } from "react";

/**
 * Wraps `callback` so a burst of calls (live events) runs it at most once per `waitMs`,
 * always once more after the last call so the final state is fetched.
 */
export function useThrottled(callback: () => void, waitMs: number): () => void {
  const latest = useRef(callback);
  latest.current = callback;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastRun = useRef(0);

  useEffect(() => () => clearTimeout(timer.current), []);

  return useCallback(() => {
    if (timer.current !== undefined) return;
    const wait = Math.max(0, lastRun.current + waitMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      lastRun.current = Date.now();
      latest.current();
    }, wait);
  }, [waitMs]);
}
