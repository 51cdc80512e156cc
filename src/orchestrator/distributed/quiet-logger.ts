import { Logger } from "graphile-worker";

/** graphile-worker's own lines: only its errors reach stderr (weir reports the rest itself). */
export function quietLogger(): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error") process.stderr.write(`graphile-worker: ${message}\n`);
  });
}
