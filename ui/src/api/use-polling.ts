import { useEffect, useRef } from "react";

/** Calls `callback` every `intervalMs` while the page is visible (stream metrics have no events). */
export function usePolling(callback: () => void, intervalMs: number): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") latest.current();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
}
