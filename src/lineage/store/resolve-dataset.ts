import { datasetLabel } from "./dataset-label.js";
import { ALL_FIELDS } from "./event-rows.js";
import { LineageDatasetError } from "./lineage-dataset-error.js";
import type { LineageDataset } from "./lineage-records.js";

/** A dataset, and the column of it a `<dataset>[.column]` argument named. */
export interface DatasetColumn {
  dataset: LineageDataset;
  /** A field of the dataset, or `*` for all of them. */
  column?: string;
}

/**
 * The ways a dataset may be named, strongest first: OpenLineage's `namespace/name`, weir's
 * own name (`dim_customers`, `lake.raw.customers`), then the bare OpenLineage name. The
 * first way that matches decides; two datasets matching it is an ambiguity, not a guess.
 */
const WAYS: readonly ((d: LineageDataset, text: string) => boolean)[] = [
  (d, text) => `${d.namespace}/${d.name}` === text,
  (d, text) => d.weirName === text,
  (d, text) => d.name === text,
];

function matchesOf(datasets: readonly LineageDataset[], text: string): LineageDataset[] {
  for (const way of WAYS) {
    const found = datasets.filter((d) => way(d, text));
    if (found.length > 0) return found;
  }
  return [];
}

/**
 * The one dataset `text` names, or LINEAGE_DATASET_UNKNOWN with the close matches (or,
 * when several datasets answer to it, with those).
 *
 * @example
 * resolveDataset(await lineage.datasets(), "dim_customers")
 */
export function resolveDataset(datasets: readonly LineageDataset[], text: string): LineageDataset {
  const found = matchesOf(datasets, text);
  if (found.length > 1) throw ambiguous(text, found);
  if (found.length === 1) return found[0]!;
  throw unknown(text, datasets);
}

/**
 * `<dataset>[.column]`: dataset names hold dots (`lake.raw.customers.email`), so the longest
 * prefix of `text` that names a dataset wins and the rest is the column. A column the
 * dataset is known not to have (its schema and column lineage list others) is refused.
 */
export async function resolveDatasetColumn(
  datasets: readonly LineageDataset[],
  text: string,
  fieldsOf: (dataset: LineageDataset) => Promise<string[]>,
): Promise<DatasetColumn> {
  for (let end = text.length; end > 0; end = text.lastIndexOf(".", end - 1)) {
    const prefix = text.slice(0, end);
    const found = matchesOf(datasets, prefix);
    if (found.length > 1) throw ambiguous(prefix, found);
    const dataset = found[0];
    if (dataset === undefined) continue;
    if (end === text.length) return { dataset };
    const column = text.slice(end + 1);
    if (column === ALL_FIELDS) return { dataset, column };
    const fields = await fieldsOf(dataset);
    if (column === "" || (fields.length > 0 && !fields.includes(column))) {
      const close = closest(column, fields);
      throw new LineageDatasetError(
        `lineage dataset ${datasetLabel(dataset)} has no column "${column}"${didYouMean(close)}`,
        { text, suggestions: close },
      );
    }
    return { dataset, column };
  }
  throw unknown(text, datasets);
}

function ambiguous(text: string, found: readonly LineageDataset[]): LineageDatasetError {
  const matches = found.map((d) => `${d.namespace}/${d.name}`);
  return new LineageDatasetError(
    `"${text}" names ${found.length} lineage datasets: ${matches.join(", ")}; name one as namespace/name`,
    { text, matches },
  );
}

function unknown(text: string, datasets: readonly LineageDataset[]): LineageDatasetError {
  const labels = new Map<string, string>();
  for (const d of datasets) {
    for (const name of [d.weirName, d.name, `${d.namespace}/${d.name}`]) {
      if (name !== undefined && !labels.has(name)) labels.set(name, datasetLabel(d));
    }
  }
  const suggestions = [...new Set(closest(text, [...labels.keys()]).map((name) => labels.get(name)!))];
  return new LineageDatasetError(
    `no lineage dataset "${text}"${didYouMean(suggestions)} (see weir lineage datasets)`,
    { text, suggestions },
  );
}

function didYouMean(suggestions: readonly string[]): string {
  return suggestions.length > 0 ? `; did you mean ${suggestions.join(", ")}?` : "";
}

/** Up to five of `names` close to `text` (edit distance, or one containing the other), closest first. */
export function closest(text: string, names: readonly string[]): string[] {
  const wanted = text.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  return names
    .map((name) => {
      const lower = name.toLowerCase();
      const contains =
        wanted.length >= 3 && lower.length >= 3 && (lower.includes(wanted) || wanted.includes(lower));
      const distance = editDistance(wanted, lower);
      return { name, score: contains ? Math.min(distance, limit) : distance };
    })
    .filter((c) => c.score <= limit)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, 5)
    .map((c) => c.name);
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length]!;
}
