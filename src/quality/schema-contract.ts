import type { Schema, WeirType } from "../core/types.js";

/** The columns a dataset promises. Types are weir's logical types (`integer`, `varchar`, `timestamp`…). */
export interface SchemaContract {
  /** Expected columns; omitted: only changes against the previous run are reported. */
  columns?: { name: string; type: WeirType }[];
  /** Columns beyond the contract are fine (default true). */
  allowExtra?: boolean;
  /** A breaking change against the previous run fails the contract (default true). */
  failOnBreaking?: boolean;
}

export interface ColumnInfo {
  name: string;
  type: string;
}

export interface SchemaViolation {
  column: string;
  problem: "missing" | "type_mismatch" | "unexpected";
  expected?: string;
  actual?: string;
}

/** A column change against the previous run: removal and type change break readers, additions do not. */
export interface SchemaChange {
  column: string;
  change: "removed" | "type_changed" | "added";
  from?: string;
  to?: string;
}

export interface SchemaContractResult {
  success: boolean;
  /** The columns as they are now. */
  columns: ColumnInfo[];
  violations: SchemaViolation[];
  /** Undefined when no earlier run recorded the columns. */
  changes?: { breaking: SchemaChange[]; additive: SchemaChange[] };
  message: string;
}

/**
 * Checks a dataset's actual columns against a contract and against the columns the
 * previous run saw.
 *
 * @example
 * compareSchema(await engine.describe(table), { columns: [{ name: "id", type: "bigint" }] }, previous);
 */
export function compareSchema(
  actual: Schema,
  contract: SchemaContract = {},
  previous?: readonly ColumnInfo[],
): SchemaContractResult {
  const columns = actual.fields.map((f) => ({ name: f.name, type: f.type }));
  const byName = new Map(columns.map((c) => [c.name, c.type]));
  const violations: SchemaViolation[] = [];
  for (const expected of contract.columns ?? []) {
    const type = byName.get(expected.name);
    if (type === undefined)
      violations.push({ column: expected.name, problem: "missing", expected: expected.type });
    else if (type !== expected.type) {
      violations.push({
        column: expected.name,
        problem: "type_mismatch",
        expected: expected.type,
        actual: type,
      });
    }
  }
  if (contract.columns && contract.allowExtra === false) {
    const promised = new Set(contract.columns.map((c) => c.name));
    for (const c of columns) {
      if (!promised.has(c.name)) violations.push({ column: c.name, problem: "unexpected", actual: c.type });
    }
  }
  const changes = previous ? diffColumns(previous, columns) : undefined;
  const breaking = (contract.failOnBreaking ?? true) && (changes?.breaking.length ?? 0) > 0;
  const success = violations.length === 0 && !breaking;
  return {
    success,
    columns,
    violations,
    ...(changes ? { changes } : {}),
    message: describeOutcome(violations, changes),
  };
}

/** Column changes from `before` to `after`. */
export function diffColumns(
  before: readonly ColumnInfo[],
  after: readonly ColumnInfo[],
): { breaking: SchemaChange[]; additive: SchemaChange[] } {
  const now = new Map(after.map((c) => [c.name, c.type]));
  const then = new Map(before.map((c) => [c.name, c.type]));
  const breaking: SchemaChange[] = [];
  const additive: SchemaChange[] = [];
  for (const c of before) {
    const type = now.get(c.name);
    if (type === undefined) breaking.push({ column: c.name, change: "removed", from: c.type });
    else if (type !== c.type)
      breaking.push({ column: c.name, change: "type_changed", from: c.type, to: type });
  }
  for (const c of after) {
    if (!then.has(c.name)) additive.push({ column: c.name, change: "added", to: c.type });
  }
  return { breaking, additive };
}

function describeOutcome(
  violations: readonly SchemaViolation[],
  changes: { breaking: SchemaChange[]; additive: SchemaChange[] } | undefined,
): string {
  const parts = violations.map((v) =>
    v.problem === "missing"
      ? `column ${v.column} (${v.expected}) is missing`
      : v.problem === "type_mismatch"
        ? `column ${v.column} is ${v.actual}, expected ${v.expected}`
        : `column ${v.column} (${v.actual}) is not in the contract`,
  );
  for (const c of changes?.breaking ?? []) {
    parts.push(
      c.change === "removed"
        ? `breaking: column ${c.column} (${c.from}) was removed since the previous run`
        : `breaking: column ${c.column} changed from ${c.from} to ${c.to} since the previous run`,
    );
  }
  for (const c of changes?.additive ?? []) parts.push(`additive: column ${c.column} (${c.to}) was added`);
  return parts.length === 0 ? "schema matches" : parts.join("; ");
}
