import type { LineageDataset } from "../../lineage/store/lineage-records.js";
import type { LineageStore } from "../../lineage/store/lineage-store.js";
import type { DatasetPolicy, HashNormalization, PolicyOutput } from "../policies/policy-types.js";

/** How a column holds the subject. */
export type HeldAs =
  | { match: "raw" }
  | { match: "hashed"; normalize: HashNormalization }
  | { match: "tokenized" }
  /** Masked or generalised: not one subject's alone, so not searchable. */
  | { match: "unsearchable"; reason: string };

/** A lineage dataset's field reached from the subject's column. */
export interface ReachedField {
  dataset: LineageDataset;
  field: string;
  heldAs: HeldAs;
}

/** The names of the columns that hold the subject, and how, wherever lineage and policies lead. */
export interface SubjectColumns {
  /** Columns holding the value itself: the subject's column and its IDENTITY copies. */
  raw: Set<string>;
  /** Columns holding its `hash` digest, with the normalisations they were hashed with. */
  hashed: Map<string, Set<HashNormalization>>;
  /** Columns holding its `tokenize` token. */
  tokenized: Set<string>;
  /** Columns holding a masked or generalised form, with why they cannot be searched. */
  unsearchable: Map<string, string>;
  /** Every `tokenize` output of any policy: tokens in the subject's rows there are the subject's too. */
  tokenColumns: Set<string>;
  /** Every lineage dataset field reached, with how it holds the subject. */
  reached: ReachedField[];
}

/**
 * Follows the subject's column through lineage and the dataset policies: every dataset
 * whose fields include it holds the value (unless lineage says that field was computed: a
 * policy output named like its column); an IDENTITY column edge carries it on, under
 * another name too (`email` → `contact_email`); a policy on a column holding the value
 * turns it into its outputs (`email` → `email_hash` hashed, `email_masked` masked), which
 * lineage carries on in turn. Repeats until nothing new is reached.
 *
 * @example
 * const columns = await findSubjectColumns(LineageStore.of(store), "email", policies);
 * columns.hashed.get("email_hash") // Set { "lower-trim" }
 */
export async function findSubjectColumns(
  lineage: LineageStore,
  column: string,
  policies: readonly DatasetPolicy[],
): Promise<SubjectColumns> {
  const result: SubjectColumns = {
    raw: new Set(),
    hashed: new Map(),
    tokenized: new Set(),
    unsearchable: new Map(),
    tokenColumns: new Set(
      policies.flatMap((p) =>
        p.columns.flatMap((c) => c.outputs.filter((o) => o.kind === "tokenize").map((o) => o.as)),
      ),
    ),
    reached: [],
  };
  const datasets = await lineage.datasets();
  const fields = new Map<string, Set<string>>();
  for (const dataset of datasets) fields.set(keyOf(dataset), new Set(await lineage.fieldsOf(dataset)));
  const byKey = new Map(datasets.map((d) => [keyOf(d), d]));

  const seen = new Set<string>();
  const queue: ReachedField[] = [];
  const reach = (dataset: LineageDataset, field: string, heldAs: HeldAs): void => {
    const key = `${keyOf(dataset)}\u0000${field}\u0000${heldKey(heldAs)}`;
    if (seen.has(key)) return;
    seen.add(key);
    const reached = { dataset, field, heldAs };
    result.reached.push(reached);
    queue.push(reached);
    name(field, heldAs);
  };
  const holders = (field: string) => datasets.filter((d) => fields.get(keyOf(d))?.has(field));
  // A name holding the value as it is: policies on it say what else holds the subject.
  const name = (field: string, heldAs: HeldAs): void => {
    if (heldAs.match === "raw") {
      if (result.raw.has(field)) return;
      result.raw.add(field);
      for (const rule of policies.flatMap((p) => p.columns).filter((c) => c.column === field)) {
        for (const output of rule.outputs) {
          const held = outputHeldAs(output, field);
          if (held === undefined) continue;
          name(output.as, held);
          for (const dataset of holders(output.as)) reach(dataset, output.as, held);
        }
      }
    } else if (heldAs.match === "hashed") {
      const normalizations = result.hashed.get(field) ?? new Set();
      normalizations.add(heldAs.normalize);
      result.hashed.set(field, normalizations);
    } else if (heldAs.match === "tokenized") {
      result.tokenized.add(field);
    } else if (!result.unsearchable.has(field)) {
      result.unsearchable.set(field, heldAs.reason);
    }
  };

  name(column, { match: "raw" });
  for (const dataset of holders(column)) {
    if (await carriesRaw(lineage, dataset, column)) reach(dataset, column, { match: "raw" });
  }
  while (queue.length > 0) {
    const { dataset, field, heldAs } = queue.shift()!;
    for (const edge of await lineage.columnTargetsOf(dataset, field)) {
      if (edge.subtype !== "IDENTITY") continue;
      const output = byKey.get(keyOf(edge.output));
      if (output) reach(output, edge.outputField, heldAs);
    }
  }
  return result;
}

/**
 * Whether a dataset's field of the subject's name holds the value as it is: unless lineage
 * says it was computed (only non-IDENTITY direct edges lead into it), as a policy output
 * named like its column (`phone: { mask: last4 }`) is. A field lineage knows no source of
 * (a source system's) holds the value.
 */
async function carriesRaw(lineage: LineageStore, dataset: LineageDataset, field: string): Promise<boolean> {
  const direct = (await lineage.columnSourcesOf(dataset, field)).filter(
    (e) => e.outputField === field && e.type === "DIRECT",
  );
  return direct.length === 0 || direct.some((e) => e.subtype === "IDENTITY");
}

/** How a policy output of a column holding the value holds the subject; undefined: not at all (redacted). */
function outputHeldAs(output: PolicyOutput, source: string): HeldAs | undefined {
  switch (output.kind) {
    case "hash":
      return { match: "hashed", normalize: output.normalize };
    case "tokenize":
      return { match: "tokenized" };
    case "mask":
      return {
        match: "unsearchable",
        reason: `masked (${output.mask}) from ${source}: a masked value cannot identify one subject`,
      };
    case "generalize":
      return {
        match: "unsearchable",
        reason: `generalized (${output.generalize.to}) from ${source}: a generalized value cannot identify one subject`,
      };
    case "redact":
      return undefined;
  }
}

function keyOf(dataset: { namespace: string; name: string }): string {
  return `${dataset.namespace}\u0000${dataset.name}`;
}

function heldKey(heldAs: HeldAs): string {
  return heldAs.match === "hashed" ? `hashed:${heldAs.normalize}` : heldAs.match;
}
