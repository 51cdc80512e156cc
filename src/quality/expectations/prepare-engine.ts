import { EngineError, messageOf } from "../../core/errors.js";
import type { Engine } from "../../engines/engine.js";

/** Engines already checked in this process: the helper is looked up once per engine object. */
const prepared = new WeakSet<Engine>();

/**
 * PostgreSQL 15 cannot test whether text is valid JSON without raising an error
 * (`pg_input_is_valid` arrived in 16), so weir keeps one helper function,
 * `weir.weir_is_json(text)`, created the first time an expectation needs it: on 16+ it
 * wraps `pg_input_is_valid`, before that it casts inside an exception block. DuckDB needs
 * nothing. Needs CREATE on the database the first time; afterwards only EXECUTE.
 */
export async function prepareExpectationSql(engine: Engine): Promise<void> {
  if (engine.kind !== "postgres" || prepared.has(engine)) return;
  const exists = async () => {
    const [row] = await engine.query<{ ok: boolean }>(
      "SELECT to_regprocedure('weir.weir_is_json(text)') IS NOT NULL AS ok",
    );
    return row?.ok === true;
  };
  if (!(await exists())) {
    const [version] = await engine.query<{ v: number }>(
      "SELECT current_setting('server_version_num')::int AS v",
    );
    const body =
      Number(version?.v ?? 0) >= 160000
        ? "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $weir$ SELECT pg_input_is_valid($1, 'json') $weir$"
        : "LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $weir$ BEGIN PERFORM $1::json; RETURN TRUE; " +
          "EXCEPTION WHEN others THEN RETURN FALSE; END $weir$";
    try {
      await engine.transaction(async (tx) => {
        await tx.run("CREATE SCHEMA IF NOT EXISTS weir");
        await tx.run(`CREATE OR REPLACE FUNCTION weir.weir_is_json(text) RETURNS boolean ${body}`);
      });
    } catch (error) {
      // Another session may have created it at the same moment; only a real absence is an error.
      if (!(await exists())) {
        throw new EngineError(
          "ENGINE_QUERY_FAILED",
          `postgres: cannot create the helper function weir.weir_is_json(text) that JSON expectations need: ${messageOf(error)}`,
          { cause: error },
        );
      }
    }
  }
  prepared.add(engine);
}
