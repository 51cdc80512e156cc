import { ConfigError } from "../../core/errors.js";

/**
 * When a dataset-scheduled pipeline runs, like Airflow's asset expressions: a dataset name
 * is satisfied by an update event for it; `{ all: [...] }` when every part is; `{ any: [...] }`
 * when at least one is. Parts nest: `{ all: ["lake.raw.orders", { any: ["crm.a", "crm.b"] }] }`.
 */
export type DatasetCondition =
  | string
  | { all: readonly DatasetCondition[] }
  | { any: readonly DatasetCondition[] };

/** What a pipeline may write for `schedule on datasets`: a condition, or a list meaning "all of". */
export type DatasetConditionSpec = DatasetCondition | readonly DatasetCondition[];

const NAME_RE = /^[^\s]+$/;

/**
 * Validates and normalises a dataset condition: a plain list means "all of" (as in Airflow,
 * where `schedule=[a, b]` waits for both). `what` names the setting in errors, e.g.
 * `pipeline "report" schedule.datasets`.
 *
 * @example
 * parseDatasetCondition(["lake.raw.orders", "lake.raw.customers"]); // { all: [...] }
 * parseDatasetCondition({ any: [] }); // ConfigError: … "any" needs at least one dataset
 */
export function parseDatasetCondition(spec: unknown, what = "dataset condition"): DatasetCondition {
  if (typeof spec === "string") {
    if (!NAME_RE.test(spec)) {
      throw new ConfigError(
        `${what}: dataset name ${JSON.stringify(spec)} must be non-empty and contain no spaces`,
      );
    }
    return spec;
  }
  if (Array.isArray(spec)) return parseDatasetCondition({ all: spec }, what);
  if (spec !== null && typeof spec === "object") {
    const keys = Object.keys(spec);
    const op = keys[0];
    if (keys.length === 1 && (op === "all" || op === "any")) {
      const parts = (spec as Record<string, unknown>)[op];
      if (!Array.isArray(parts) || parts.length === 0) {
        throw new ConfigError(`${what}: "${op}" needs at least one dataset, got ${JSON.stringify(parts)}`);
      }
      const parsed = parts.map((part, i) => parseDatasetCondition(part, `${what}.${op}[${i}]`));
      return op === "all" ? { all: parsed } : { any: parsed };
    }
  }
  throw new ConfigError(
    `${what}: expected a dataset name, a list of names, { all: [...] } or { any: [...] }, got ${JSON.stringify(spec)}`,
  );
}

/** Every dataset name the condition mentions, each once, in order of appearance. */
export function datasetsOf(condition: DatasetCondition): string[] {
  const names = new Set<string>();
  const visit = (c: DatasetCondition): void => {
    if (typeof c === "string") names.add(c);
    else for (const part of "all" in c ? c.all : c.any) visit(part);
  };
  visit(condition);
  return [...names];
}

/** "lake.raw.orders and (crm.a or crm.b)" — for `pipelines list` and logs. */
export function describeDatasetCondition(condition: DatasetCondition, nested = false): string {
  if (typeof condition === "string") return condition;
  const [parts, joiner] = "all" in condition ? [condition.all, " and "] : [condition.any, " or "];
  if (parts.length === 1) return describeDatasetCondition(parts[0] as DatasetCondition, nested);
  const text = parts.map((part) => describeDatasetCondition(part, true)).join(joiner);
  return nested ? `(${text})` : text;
}
