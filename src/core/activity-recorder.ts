import type { ActivityObserver, AssertionNote, DatasetNote, StatementEngine } from "./activity-scope.js";

/** What one unit of work did, as plain data (it travels on run events). */
export interface ActivityRecord {
  statements: { engine: { kind: StatementEngine["kind"]; location?: string }; sql: string }[];
  datasets: DatasetNote[];
  assertions: AssertionNote[];
  /** Statements not kept once `MAX_STATEMENTS` was reached (lineage is then partial, and says so). */
  statementsDropped: number;
}

/**
 * Keeps a unit's statements (each distinct text once, at most `MAX_STATEMENTS` — a task
 * looping over thousands of statements must not grow without bound) and its dataset notes.
 */
export class ActivityRecorder implements ActivityObserver {
  static readonly MAX_STATEMENTS = 2_000;
  private readonly statements = new Map<string, ActivityRecord["statements"][number]>();
  private readonly datasets: DatasetNote[] = [];
  private readonly assertionNotes: AssertionNote[] = [];
  private dropped = 0;

  statement(engine: StatementEngine, sql: string): void {
    const location = engine.location;
    const key = `${engine.kind}\u0000${location ?? ""}\u0000${sql}`;
    if (this.statements.has(key)) return;
    if (this.statements.size >= ActivityRecorder.MAX_STATEMENTS) {
      this.dropped++;
      return;
    }
    this.statements.set(key, {
      engine: location === undefined ? { kind: engine.kind } : { kind: engine.kind, location },
      sql,
    });
  }

  dataset(note: DatasetNote): void {
    this.datasets.push(plainNote(note));
  }

  assertions(note: AssertionNote): void {
    this.assertionNotes.push({ ...note, dataset: plainNote(note.dataset) });
  }

  record(): ActivityRecord {
    return {
      statements: [...this.statements.values()],
      datasets: [...this.datasets],
      assertions: [...this.assertionNotes],
      statementsDropped: this.dropped,
    };
  }
}

/** The note with its engine reduced to plain data (no engine object rides on events). */
function plainNote(note: DatasetNote): DatasetNote {
  const engine = note.engine && plainEngine(note.engine);
  const from = note.identityFrom;
  const sourceEngine = note.sourceEngine && plainEngine(note.sourceEngine);
  const columns = note.columns
    ? Object.fromEntries(
        Object.entries(note.columns).map(([field, sources]) => [
          field,
          sources.map((c) => ({
            ...c,
            from: { ...c.from, ...(c.from.engine ? { engine: plainEngine(c.from.engine) } : {}) },
          })),
        ]),
      )
    : undefined;
  return {
    ...note,
    ...(engine ? { engine } : {}),
    ...(sourceEngine ? { sourceEngine } : {}),
    ...(columns ? { columns } : {}),
    ...(from
      ? { identityFrom: { ...from, ...(from.engine ? { engine: plainEngine(from.engine) } : {}) } }
      : {}),
  };
}

function plainEngine(engine: StatementEngine): StatementEngine {
  return engine.location === undefined
    ? { kind: engine.kind }
    : { kind: engine.kind, location: engine.location };
}
