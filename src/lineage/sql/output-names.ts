import { type AstNode, aliasOf, child, children, functionName, queryNode, strings, text } from "./sql-ast.js";

/**
 * The name of an output column without an alias. A column reference is named after its
 * column on both engines. Otherwise DuckDB names it by the expression's text (`sum(c)`,
 * `(a + 1)`: printed by DuckDB itself, see `expressionTexts`), and PostgreSQL by its
 * FigureColname rules, which `postgresColumnName` follows on DuckDB's AST.
 */
export function columnRefName(expression: AstNode): string | undefined {
  if (expression.class !== "COLUMN_REF") return undefined;
  const parts = strings(expression, "column_names");
  return parts[parts.length - 1];
}

/** PostgreSQL's name for an unaliased select-list expression (FigureColname). */
export function postgresColumnName(expression: AstNode): string {
  return figure(expression) ?? "?column?";
}

/** FigureColname's answer, or undefined for its weak `?column?`. */
function figure(expression: AstNode): string | undefined {
  const alias = aliasOf(expression);
  if (alias) return alias;
  switch (expression.class) {
    case "COLUMN_REF":
      return columnRefName(expression);
    case "FUNCTION":
    case "WINDOW": {
      const name = functionName(expression);
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) return undefined;
      if (name === "count_star") return "count";
      // DuckDB's parser writes EXTRACT(…) as main.date_part.
      if (name === "date_part" && text(expression, "schema") === "main") return "extract";
      return name;
    }
    case "CAST": {
      const inner = child(expression, "child");
      return (inner && figure(inner)) ?? postgresTypeName(child(expression, "cast_type"));
    }
    case "COLLATE": {
      const inner = child(expression, "child");
      return inner ? figure(inner) : undefined;
    }
    case "CASE":
      return "case";
    case "OPERATOR":
      switch (expression.type) {
        case "OPERATOR_COALESCE":
          return "coalesce";
        case "ARRAY_CONSTRUCTOR":
          return "array";
        case "STRUCT_EXTRACT": {
          const field = children(expression, "children")[1];
          const value = child(field, "value")?.value;
          return typeof value === "string" ? value : undefined;
        }
        case "ARRAY_EXTRACT": {
          const base = children(expression, "children")[0];
          return base ? figure(base) : undefined;
        }
        default:
          return undefined;
      }
    case "SUBQUERY": {
      const kind = text(expression, "subquery_type");
      if (kind === "EXISTS") return "exists";
      if (kind === "ARRAY") return "array";
      if (kind !== "SCALAR") return undefined;
      const first = children(queryNode(child(expression, "subquery")), "select_list")[0];
      return first ? figure(first) : undefined;
    }
    default:
      return undefined;
  }
}

const PG_TYPES: Record<string, string> = {
  BIGINT: "int8",
  BOOLEAN: "bool",
  DATE: "date",
  DECIMAL: "numeric",
  DOUBLE: "float8",
  FLOAT: "float4",
  INTEGER: "int4",
  INTERVAL: "interval",
  SMALLINT: "int2",
  TIME: "time",
  TIMESTAMP: "timestamp",
  "TIMESTAMP WITH TIME ZONE": "timestamptz",
  UUID: "uuid",
  VARCHAR: "text",
};

function postgresTypeName(type: AstNode | undefined): string | undefined {
  const id = text(type, "id");
  if (id === "UNBOUND") return text(child(type, "type_info"), "name").toLowerCase() || undefined;
  return PG_TYPES[id] ?? (id ? id.toLowerCase() : undefined);
}

/**
 * Names made unique as DuckDB makes them where a result becomes a relation (a table made by
 * CREATE … AS, a subquery or CTE in FROM, a file written by COPY): a repeated name, compared
 * case-insensitively, gets `_1`, `_2`… (the first suffix not taken), e.g. `a, A, a` → `a, A_1, a_2`.
 */
export function duckdbUniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  const nextSuffix = new Map<string, number>();
  return names.map((name) => {
    const key = name.toLowerCase();
    if (!taken.has(key)) {
      taken.add(key);
      return name;
    }
    let suffix = nextSuffix.get(key) ?? 1;
    let candidate = `${name}_${suffix}`;
    while (taken.has(candidate.toLowerCase())) candidate = `${name}_${++suffix}`;
    nextSuffix.set(key, suffix + 1);
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}
