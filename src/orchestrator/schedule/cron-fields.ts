/**
 * Field-by-field checks of a five-field cron pattern, so a bad expression gets a message
 * naming the field and the allowed range ("day-of-month 32 is out of range 1–31") before
 * croner sees it. Anything this does not understand (L, W, #, names) is left to croner.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day-of-week", min: 0, max: 7 },
];

const NUMBER_RE = /^\d+$/;

/** Returns a description of the first problem found, or undefined when the fields look valid. */
export function cronFieldProblem(pattern: string): string | undefined {
  const fields = pattern.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `expected 5 fields (minute hour day-of-month month day-of-week) or a preset such as @daily, got ${fields.length} field${fields.length === 1 ? "" : "s"}`;
  }
  for (const [index, spec] of FIELDS.entries()) {
    const problem = fieldProblem(fields[index] as string, spec);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  for (const item of field.split(",")) {
    if (item === "") return `${spec.name} field "${field}" has an empty list item`;
    const [base = "", step, extra] = item.split("/");
    if (extra !== undefined) return `${spec.name} field "${field}" has more than one "/"`;
    if (step !== undefined && (!NUMBER_RE.test(step) || Number(step) === 0)) {
      return `${spec.name} step "/${step}" must be a whole number of at least 1`;
    }
    const bounds = base.split("-");
    if (bounds.length > 2) return `${spec.name} range "${base}" has more than one "-"`;
    for (const bound of bounds) {
      if (!NUMBER_RE.test(bound)) continue;
      const value = Number(bound);
      if (value < spec.min || value > spec.max) {
        return `${spec.name} ${value} is out of range ${spec.min}–${spec.max}`;
      }
    }
    const [low, high] = bounds;
    if (
      high !== undefined &&
      NUMBER_RE.test(low ?? "") &&
      NUMBER_RE.test(high) &&
      Number(low) > Number(high)
    ) {
      return `${spec.name} range "${base}" runs backwards`;
    }
  }
  return undefined;
}
