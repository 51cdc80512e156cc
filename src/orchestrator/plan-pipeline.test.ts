import { describe, expect, it } from "vitest";
import { definePipeline, defineTask } from "./define-pipeline.js";
import { planPipeline } from "./plan-pipeline.js";

const node = (id: string, dependsOn: string[] = []) => ({ id, dependsOn });
const task = (id: string, dependsOn: string[] = []) => defineTask({ id, dependsOn, run: async () => id });

describe("planPipeline", () => {
  it("orders tasks topologically, declaration order breaking ties", () => {
    expect(
      planPipeline("p", [
        node("load", ["transform"]),
        node("extract"),
        node("transform", ["extract", "audit"]),
        node("audit"),
      ]),
    ).toEqual(["extract", "audit", "transform", "load"]);
  });

  it("names a cycle in data-flow order", () => {
    expect(() => planPipeline("p", [node("extract", ["land"]), node("land", ["extract"])])).toThrow(
      'pipeline "p" has a cycle: extract → land → extract',
    );
    expect(() =>
      planPipeline("p", [node("a"), node("b", ["a", "d"]), node("c", ["b"]), node("d", ["c"])]),
    ).toThrow(/has a cycle: b → c → d → b/);
  });

  it("names a self-dependency as a cycle", () => {
    expect(() => planPipeline("p", [node("a", ["a"])])).toThrow("has a cycle: a → a");
  });

  it("refuses an unknown dependency, naming the task and the known ones", () => {
    const error = (() => {
      try {
        planPipeline("p", [node("extract"), node("load", ["transfrom"])]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({
      code: "PIPELINE_INVALID",
      message: 'task "load" of pipeline "p" depends on unknown task "transfrom" (tasks: extract, load)',
      details: { taskId: "load", dependency: "transfrom" },
    });
  });

  it("refuses a duplicate task id", () => {
    expect(() => planPipeline("p", [node("a"), node("b"), node("a")])).toThrow(
      'pipeline "p" declares task "a" twice',
    );
  });

  it("refuses an empty pipeline", () => {
    expect(() => planPipeline("p", [])).toThrow(/has no tasks/);
  });
});

describe("definePipeline / defineTask", () => {
  it("validates on definition and keeps the order", () => {
    const p = definePipeline({ id: "customers", tasks: [task("b", ["a"]), task("a")] });
    expect(p.order).toEqual(["a", "b"]);
    expect(p.kind).toBe("weir.pipeline");
    expect(() => definePipeline({ id: "x", tasks: [task("a", ["b"]), task("b", ["a"])] })).toThrow(
      /cycle: a → b → a|cycle: b → a → b/,
    );
  });

  it("refuses ids that would not survive paths and SQL names", () => {
    expect(() => task("has space")).toThrow(/invalid task id "has space"/);
    expect(() => definePipeline({ id: "../evil", tasks: [task("a")] })).toThrow(/invalid pipeline id/);
  });
});
