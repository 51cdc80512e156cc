import { describe, expect, it } from "vitest";
import { ActivityRecorder } from "./activity-recorder.js";
import { noteDataset, noteStatement, observeActivity, withoutObserver } from "./activity-scope.js";

/** An engine-like object that cannot be serialised (a pool pointing back at itself). */
function circularEngine() {
  const engine: Record<string, unknown> = { kind: "postgres", location: "db:5432/test" };
  engine.pool = { owner: engine };
  return engine as unknown as { kind: "postgres"; location: string };
}

describe("ActivityRecorder", () => {
  it("keeps each statement once, only inside its scope and not inside withoutObserver", async () => {
    const recorder = new ActivityRecorder();
    const engine = { kind: "duckdb" as const, location: "/w.duckdb" };
    noteStatement(engine, "SELECT 0");
    await observeActivity(recorder, async () => {
      noteStatement(engine, "SELECT 1");
      await Promise.resolve();
      noteStatement(engine, "SELECT 1");
      withoutObserver(() => noteStatement(engine, "SELECT 2"));
    });
    expect(recorder.record().statements).toEqual([{ engine, sql: "SELECT 1" }]);
  });

  it("records plain data: engine objects are reduced to kind and location, so events serialise", () => {
    const recorder = new ActivityRecorder();
    const engine = circularEngine();
    observeActivity(recorder, () => {
      noteDataset({
        direction: "output",
        kind: "table",
        name: "fact",
        engine,
        sourceEngine: engine,
        identityFrom: { kind: "table", name: "input", engine },
        columns: {
          user_key: [
            {
              from: { kind: "table", name: "dim_users", engine },
              field: "user_key",
              type: "DIRECT",
              subtype: "IDENTITY",
            },
          ],
        },
      });
    });
    const record = recorder.record();
    expect(() => JSON.stringify(record)).not.toThrow();
    expect(record.datasets[0]!.columns!.user_key![0]!.from.engine).toEqual({
      kind: "postgres",
      location: "db:5432/test",
    });
  });

  it("stops keeping statements past its bound and counts the rest", () => {
    const recorder = new ActivityRecorder();
    observeActivity(recorder, () => {
      for (let i = 0; i < ActivityRecorder.MAX_STATEMENTS + 5; i++)
        noteStatement({ kind: "duckdb" }, `SELECT ${i}`);
    });
    const record = recorder.record();
    expect(record.statements).toHaveLength(ActivityRecorder.MAX_STATEMENTS);
    expect(record.statementsDropped).toBe(5);
  });
});
