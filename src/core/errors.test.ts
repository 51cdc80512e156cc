import { describe, expect, it, vi } from "vitest";
import { ConfigError, EngineError, TaskError, WeirError } from "./errors.js";

describe("WeirError", () => {
  it("carries code, retryable, details, cause and an exit code", () => {
    const cause = new Error("socket hang up");
    const error = new EngineError("ENGINE_CONNECTION_FAILED", "cannot reach", {
      retryable: true,
      details: { host: "db" },
      cause,
    });
    expect(error).toBeInstanceOf(WeirError);
    expect(error.name).toBe("EngineError");
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.exitCode).toBe(3);
    expect(new TaskError("load", error).retryable).toBe(true);
  });

  it("recognises errors of another copy of the module, by brand and class name", async () => {
    // A second, independent copy of this module, as tsx gives a user's pipeline file.
    vi.resetModules();
    const copy = await import("./errors.js");
    expect(copy.WeirError).not.toBe(WeirError);
    const foreign = new copy.EngineError("ENGINE_QUERY_FAILED", "conflict", { retryable: true });
    expect(foreign instanceof WeirError).toBe(true);
    expect(foreign instanceof EngineError).toBe(true);
    expect(foreign instanceof ConfigError).toBe(false);
    expect(new Error("plain") instanceof WeirError).toBe(false);
    expect(new ConfigError("x") instanceof copy.WeirError).toBe(true);
  });
});
