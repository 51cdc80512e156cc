import type { NotificationRoutes } from "./notifier.js";

/**
 * The project's default routes with the pipeline's own added (each channel once per kind).
 *
 * @example
 * mergeRoutes({ failure: ["pager"] }, { failure: ["chat"], retry: ["chat"] });
 * // { failure: ["pager", "chat"], retry: ["chat"] }
 */
export function mergeRoutes(
  defaults: NotificationRoutes | undefined,
  own: NotificationRoutes | undefined,
): NotificationRoutes {
  const out: Record<string, string[]> = {};
  for (const routes of [defaults, own]) {
    for (const [kind, names] of Object.entries(routes ?? {})) {
      out[kind] = [...new Set([...(out[kind] ?? []), ...(names ?? [])])];
    }
  }
  return out as NotificationRoutes;
}
