import { ConfigError } from "../core/errors.js";
import type { Schema } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { ExpectationResult } from "./expectations/expectation.js";
import type { RowRule } from "./row-split.js";
import type { SuiteExpectation } from "./suite.js";
import type { CheckTarget } from "./suite-target.js";
import { failingRowPredicate } from "./validate-dataset.js";

/**
 * The row rules of a suite's row-level expectations (those with a failing-row predicate).
 * `quarantining` says whether `quarantine: true` expectations split rows off in this run;
 * quarantine on an expectation that is not row-level is a configuration error.
 *
 * `results` (the validation of the same data, in the same order) lets a rule whose
 * expectation found no unexpected row at all compile to `FALSE`: its predicate cannot
 * hold for any row, and a window predicate (uniqueness) would cost a full partitioned
 * pass just to say so again. An expectation that could not be evaluated at all
 * (`exception_info`: SQL the engine rejects) gets no rule: its predicate would fail the
 * row scan the same way, and with it every other check of the suite.
 */
export function suiteRowRules(
  engine: Engine,
  expectations: readonly SuiteExpectation[],
  target: CheckTarget,
  schema: Schema,
  quarantining: boolean,
  results?: readonly ExpectationResult[],
): RowRule[] {
  return expectations.flatMap((e, i) => {
    const predicate = failingRowPredicate(engine, e.config, { target, fields: schema.fields });
    if (predicate === undefined) {
      if (e.quarantine) {
        throw new ConfigError(
          `expectation "${e.name}" (${e.config.type}) is not row-level, so it cannot quarantine rows: drop "quarantine: true" or use a per-row expectation`,
          { details: { expectation: e.name, type: e.config.type } },
        );
      }
      return [];
    }
    const found = results?.[i];
    const same = found !== undefined && found.expectation.type === e.config.type;
    if (same && found.exception_info?.raised_exception) return [];
    const clean = same && found.result.unexpected_count === 0;
    return [
      {
        name: e.name,
        predicate: clean ? "FALSE" : predicate,
        reason: reasonSql(engine, e),
        quarantine: e.quarantine && quarantining,
      },
    ];
  });
}

/**
 * Why a row failed, built in SQL with the row's value:
 * `age 7 fails age_13_120: expect_column_values_to_be_between(min_value=13, max_value=120)`.
 */
function reasonSql(engine: Engine, e: SuiteExpectation): string {
  const d = engine.dialect;
  const { column, ...rest } = e.config.kwargs;
  const args = Object.entries(rest)
    .filter(([k, v]) => v !== undefined && k !== "result_format" && k !== "catch_exceptions")
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  const what = `${e.config.type}(${args.length > 160 ? `${args.slice(0, 157)}…` : args})`;
  const tail =
    e.name === e.config.type || e.name.startsWith(`${e.config.type}(`) ? what : `${e.name}: ${what}`;
  if (typeof column !== "string") return d.quoteLiteral(`fails ${tail}`);
  const value = `COALESCE(CAST(${d.quoteIdent(column)} AS ${d.typeName("varchar")}), 'NULL')`;
  return `${d.quoteLiteral(`${column} `)} || ${value} || ${d.quoteLiteral(` fails ${tail}`)}`;
}
