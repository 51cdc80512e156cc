import type { Metric, Registry } from "prom-client";

/** One sample of a family: its labels and value, and the series name when it is not the family's (`_bucket`, `_sum`, `_count`). */
export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * A metric family whose samples were computed from the metadata store for one scrape. It
 * has the shape prom-client's `Registry` formats (`name`, `help`, `type`, `get()`), so
 * label escaping and number formatting stay prom-client's, while the values are ours: a
 * counter here is a count of finished things in the store, not something this process
 * incremented.
 */
export interface DerivedFamily {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  samples: Sample[];
}

export function family(
  name: string,
  type: DerivedFamily["type"],
  help: string,
  samples: Sample[] = [],
): DerivedFamily {
  return { name, type, help, samples };
}

/** Registers the families in `registry` as prom-client metrics that return their samples. */
export function registerFamilies(registry: Registry, families: readonly DerivedFamily[]): void {
  for (const f of families) {
    const metric = {
      name: f.name,
      help: f.help,
      type: f.type,
      aggregator: "sum",
      get: async () => ({ name: f.name, help: f.help, type: f.type, aggregator: "sum", values: f.samples }),
    };
    registry.registerMetric(metric as unknown as Metric<string>);
  }
}
