import { z } from "zod";
import { defineExpectation } from "./expectation-definition.js";
import { jsonSchemaValidator } from "./json-schema-validator.js";
import { column, commonKwargs, mostly } from "./kwargs.js";
import { parsePythonJson } from "./python-json.js";

const TEXT = new Set(["varchar", "json"]);

/**
 * `expect_column_values_to_match_json_schema`: each value, read as JSON (Python's
 * `json.loads`: NaN and Infinity allowed), validates against `json_schema` (Ajv, with
 * jsonschema's defaults: see json-schema-validator.ts). As GX's metric, a value that is not
 * JSON at all is an error of the expectation (`exception_info`, naming the row), not an
 * unexpected value. The values are streamed from the engine and judged in JS (a stream
 * plan). NULLs are missing.
 */
export const columnValuesToMatchJsonSchema = defineExpectation({
  type: "expect_column_values_to_match_json_schema",
  kind: "column_map",
  description: "Values (JSON text) validate against `json_schema`.",
  kwargs: z
    .object({
      column,
      json_schema: z
        .union([z.record(z.string(), z.unknown()), z.boolean()])
        .superRefine((schema, issue) => {
          try {
            jsonSchemaValidator(schema);
          } catch (error) {
            issue.addIssue({
              code: "custom",
              message: `not a valid JSON Schema: ${(error as Error).message}`,
            });
          }
        })
        .describe("a JSON Schema (draft-07, 2019-09 or 2020-12, the default)"),
      mostly,
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const type = ctx.typeOf(a.column);
    if (type !== undefined && !TEXT.has(type))
      throw new Error(
        `column "${a.column}" is ${type}: expect_column_values_to_match_json_schema reads JSON text`,
      );
    return {
      plan: "stream",
      value: {
        sql: type === "json" ? `CAST(${ctx.q(a.column)} AS VARCHAR)` : ctx.q(a.column),
        type: "varchar",
        name: a.column,
      },
      mostly: a.mostly,
      judge: () => {
        const valid = jsonSchemaValidator(a.json_schema);
        return (value) => {
          let document: unknown;
          try {
            document = parsePythonJson(String(value));
          } catch (error) {
            throw new Error(`not JSON (${(error as Error).message}); GX's metric raises on it too`);
          }
          return !valid(document);
        };
      },
    };
  },
});

export const JSON_SCHEMA_EXPECTATIONS = [columnValuesToMatchJsonSchema];
