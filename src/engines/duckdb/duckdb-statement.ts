import {
  DuckDBBlobValue,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBValue,
  StatementType,
} from "@duckdb/node-api";
import { queryFailed } from "../query-error.js";
import { isMultipleStatementsRefusal, multipleStatements } from "../single-statement.js";

/**
 * Prepares `sql` as ONE statement with `params` bound. DuckDB's parser refuses text holding
 * several statements before running any (running them one after another is what
 * `connection.run` would do), which is what keeps a `;` in spliced text from starting a
 * statement of its own.
 */
export async function prepareOne(
  conn: DuckDBConnection,
  sql: string,
  params?: readonly unknown[],
): Promise<DuckDBPreparedStatement> {
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await conn.prepare(sql);
  } catch (error) {
    if (!isMultipleStatementsRefusal("duckdb", error)) throw queryFailed("duckdb", sql, error);
    const count = await conn.extractStatements(sql).then(
      (extracted) => extracted.count,
      () => undefined,
    );
    throw multipleStatements("duckdb", sql, count, error);
  }
  const values = toDuckDBParams(params);
  try {
    if (values) prepared.bind(values);
  } catch (error) {
    prepared.destroySync();
    throw queryFailed("duckdb", sql, error);
  }
  return prepared;
}

/** `COPY`, `CREATE`… for messages. */
export function statementTypeName(type: StatementType): string {
  return (StatementType[type] ?? "non-query").replace(/_/g, " ");
}

/** Binds JS values as DuckDB values: Dates as ISO text, bytes as BLOB, objects as JSON text. */
function toDuckDBParams(params?: readonly unknown[]): DuckDBValue[] | undefined {
  if (!params || params.length === 0) return undefined;
  return params.map((p): DuckDBValue => {
    if (p === undefined || p === null) return null;
    if (typeof p === "string" || typeof p === "number" || typeof p === "boolean" || typeof p === "bigint")
      return p;
    if (p instanceof Date) return p.toISOString();
    if (p instanceof Uint8Array) return new DuckDBBlobValue(p);
    return JSON.stringify(p);
  });
}
