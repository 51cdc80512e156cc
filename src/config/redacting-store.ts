import type { Logger } from "../core/log.js";
import { hasSecrets, redactDeep, redactSecrets } from "./secret.js";

/**
 * Wraps an object (a metadata store, or any repository hanging off it) so that every
 * string reaching its methods — log lines, error messages, params, summaries — has the
 * registered secret values scrubbed first. Generic on purpose: the store's interface
 * grows, and a method added later is covered without touching this file. Methods are
 * called on the real object (not the proxy), so classes with private fields keep working.
 * With no secret registered the call passes straight through.
 *
 * @example
 * const store = redactingStore(await openMetadataStore());
 */
export function redactingStore<T extends object>(target: T): T {
  const cache = new WeakMap<object, object>();
  const wrap = <O extends object>(object: O): O => {
    const seen = cache.get(object);
    if (seen) return seen as O;
    const proxy = new Proxy(object, {
      get(obj, prop) {
        const value = Reflect.get(obj, prop, obj) as unknown;
        if (typeof value === "function") {
          return (...args: unknown[]) =>
            (value as (...a: unknown[]) => unknown).apply(obj, hasSecrets() ? args.map(redactDeep) : args);
        }
        // Sub-repositories (`store.cursors`, …) are wrapped too; primitives pass through.
        if (typeof value === "object" && value !== null && !(value instanceof Date)) return wrap(value);
        return value;
      },
    });
    cache.set(object, proxy);
    return proxy;
  };
  return wrap(target);
}

/** A logger that scrubs registered secret values from messages and fields before passing them on. */
export function redactingLogger(logger: Logger): Logger {
  return {
    log(event) {
      if (!hasSecrets()) return logger.log(event);
      logger.log({
        ...event,
        message: redactSecrets(event.message),
        ...(event.fields ? { fields: redactDeep(event.fields) } : {}),
      });
    },
  };
}
