import {
  type ParameterNode,
  ParameterSyntaxError,
  parseParameterExpression,
} from "./parameter-expression.js";
import {
  binary,
  DATETIME_ORDER,
  datetime,
  fromDate,
  isoFormat,
  negate,
  num,
  type ParameterValue,
  ParameterValueError,
  roundHalfEven,
  TIMEDELTA_ORDER,
  timedelta,
} from "./parameter-values.js";

/**
 * Great Expectations' suite parameters: a kwarg written `{"$PARAMETER": "expression"}` takes
 * its value when the suite runs, from the parameters given then (GX 1.x `suite_parameters`,
 * evaluation parameters before) or from an expression over them such as
 * `now() - timedelta(days=1)`. As GX's `parse_suite_parameter`:
 * - a lone name is replaced by that parameter's value as it is (a list stays a list);
 * - a call without arguments (`now()`) is evaluated;
 * - anything else is evaluated: parameters are read as numbers, or else as dates (ISO
 *   text), and the result is a number or an ISO datetime (`2024-01-31T00:00:00`);
 * - `{"$PARAMETER": "x", "$PARAMETER.x": 5}` carries its own value for `x`.
 * Functions: now, datetime, timedelta, abs, round, trunc, sgn, sin, cos, tan, exp; constants
 * PI and E. `now()` is the check's time (UTC; a pipeline's check passes its interval's end).
 */
export type SuiteParameters = Readonly<Record<string, unknown>>;

const KEY = "$PARAMETER";

/** GX's `is_suite_parameter`: an object with a `$PARAMETER` key. */
export function isSuiteParameter(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && KEY in value;
}

/** Whether any kwarg is a suite parameter. */
export function hasSuiteParameters(kwargs: Readonly<Record<string, unknown>>): boolean {
  return Object.values(kwargs).some(isSuiteParameter);
}

/** Why a `$PARAMETER` kwarg could not be resolved; `unknown` names a parameter nobody gave. */
export class SuiteParameterError extends Error {
  constructor(
    message: string,
    readonly unknown?: string,
  ) {
    super(message);
  }
}

/**
 * The kwargs with each `$PARAMETER` replaced by its value. Throws a {@link SuiteParameterError}
 * whose message starts with the argument's name.
 *
 * @example
 * substituteSuiteParameters({ column: "d", min_value: { $PARAMETER: "now() - timedelta(days=1)" } }, {}, new Date("2024-01-02T00:00:00Z"));
 * // { column: "d", min_value: "2024-01-01T00:00:00" }
 */
export function substituteSuiteParameters(
  kwargs: Readonly<Record<string, unknown>>,
  parameters: SuiteParameters,
  now: Date,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [argument, value] of Object.entries(kwargs)) {
    if (!isSuiteParameter(value)) {
      out[argument] = value;
      continue;
    }
    try {
      out[argument] = resolveOne(value, parameters, now);
    } catch (error) {
      if (!(error instanceof SuiteParameterError)) throw error;
      const expression = JSON.stringify(value[KEY]);
      throw new SuiteParameterError(`${argument}: $PARAMETER ${expression}: ${error.message}`, error.unknown);
    }
  }
  return out;
}

/** The syntax problems of every `$PARAMETER` in kwargs (found before anything runs). */
export function suiteParameterSyntaxProblems(
  kwargs: Readonly<Record<string, unknown>>,
): { argument: string; message: string }[] {
  return Object.entries(kwargs).flatMap(([argument, value]) => {
    if (!isSuiteParameter(value)) return [];
    const problem = shapeProblem(value) ?? syntaxProblem(value[KEY] as string);
    return problem === undefined
      ? []
      : [{ argument, message: `$PARAMETER ${JSON.stringify(value[KEY])}: ${problem}` }];
  });
}

function shapeProblem(value: Record<string, unknown>): string | undefined {
  const expression = value[KEY];
  if (typeof expression !== "string" || expression.trim() === "")
    return 'expected an expression as text, e.g. { $PARAMETER: "min_rows" }';
  const extra = Object.keys(value).filter((k) => k !== KEY && !k.startsWith(`${KEY}.`));
  return extra.length > 0 ? `unexpected key${extra.length > 1 ? "s" : ""} ${extra.join(", ")}` : undefined;
}

function syntaxProblem(expression: string): string | undefined {
  try {
    parseParameterExpression(expression);
    return undefined;
  } catch (error) {
    if (error instanceof ParameterSyntaxError) return `${error.message} at character ${error.column}`;
    throw error;
  }
}

function resolveOne(value: Record<string, unknown>, parameters: SuiteParameters, now: Date): unknown {
  const problem = shapeProblem(value);
  if (problem !== undefined) throw new SuiteParameterError(problem);
  const expression = value[KEY] as string;
  const inline = `${KEY}.${expression}`;
  if (inline in value) return value[inline];
  let tree: ParameterNode;
  try {
    tree = parseParameterExpression(expression);
  } catch (error) {
    if (error instanceof ParameterSyntaxError)
      throw new SuiteParameterError(`${error.message} at character ${error.column}`);
    throw error;
  }
  if (tree.kind === "name" || tree.kind === "number" || tree.kind === "constant") {
    const name = tree.kind === "name" ? tree.name : tree.text;
    if (Object.hasOwn(parameters, name)) return parameters[name];
    throw new SuiteParameterError(`no value for parameter "${name}"${known(parameters)}`, name);
  }
  try {
    return output(evaluate(tree, parameters, now));
  } catch (error) {
    if (error instanceof ParameterValueError) throw new SuiteParameterError(error.message);
    throw error;
  }
}

function known(parameters: SuiteParameters): string {
  const names = Object.keys(parameters);
  return names.length === 0 ? " (no suite parameters were given)" : ` (given: ${names.join(", ")})`;
}

function output(value: ParameterValue): unknown {
  if (value.kind === "datetime") return isoFormat(value.micros);
  if (value.kind === "timedelta")
    throw new SuiteParameterError("the expression is a duration (timedelta), not a value: add it to a date");
  if (!Number.isFinite(value.value)) throw new SuiteParameterError("the expression is not a finite number");
  return value.value;
}

function evaluate(node: ParameterNode, parameters: SuiteParameters, now: Date): ParameterValue {
  switch (node.kind) {
    case "number":
      return num(Number(node.text));
    case "constant":
      return num(node.name === "PI" ? Math.PI : Math.E);
    case "name": {
      if (!Object.hasOwn(parameters, node.name))
        throw new SuiteParameterError(`no value for parameter "${node.name}"${known(parameters)}`, node.name);
      return operand(node.name, parameters[node.name]);
    }
    case "negate":
      return negate(evaluate(node.operand, parameters, now));
    case "binary":
      return binary(node.op, evaluate(node.left, parameters, now), evaluate(node.right, parameters, now));
    case "call":
      return call(
        node.name,
        node.args.map((a) => evaluate(a, parameters, now)),
        node.kwargs.map(([k, v]) => [k, evaluate(v, parameters, now)] as const),
        now,
      );
  }
}

const FUNCTIONS = [
  "now",
  "datetime",
  "timedelta",
  "abs",
  "round",
  "trunc",
  "sgn",
  "sin",
  "cos",
  "tan",
  "exp",
];
const MATH: Record<string, (x: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  trunc: Math.trunc,
  sgn: (x) => (x < -1e-12 ? -1 : x > 1e-12 ? 1 : 0),
};

function call(
  name: string,
  args: ParameterValue[],
  kwargs: (readonly [string, ParameterValue])[],
  now: Date,
): ParameterValue {
  if (name === "now") {
    if (args.length + kwargs.length > 0) throw new ParameterValueError("now() takes no arguments");
    return fromDate(now);
  }
  if (name === "datetime" || name === "timedelta") {
    const order = name === "datetime" ? DATETIME_ORDER : TIMEDELTA_ORDER;
    if (args.length > order.length)
      throw new ParameterValueError(`${name}() takes at most ${order.length} arguments`);
    const parts: Record<string, number> = {};
    for (const [i, arg] of args.entries()) parts[order[i]!] = numberArgument(name, arg);
    for (const [key, arg] of kwargs) parts[key] = numberArgument(name, arg);
    return name === "datetime" ? datetime(parts) : timedelta(parts);
  }
  if (!FUNCTIONS.includes(name))
    throw new ParameterValueError(`unknown function ${name}() (known: ${FUNCTIONS.join(", ")})`);
  if (kwargs.length > 0) throw new ParameterValueError(`${name}() takes no keyword arguments`);
  const [x, digits] = args;
  const wanted = name === "round" ? "1 or 2" : "1";
  if (x === undefined || args.length > (name === "round" ? 2 : 1))
    throw new ParameterValueError(
      `${name}() takes ${wanted} argument${wanted === "1" ? "" : "s"}, got ${args.length}`,
    );
  if (name === "abs" && x.kind === "timedelta")
    return { kind: "timedelta", micros: x.micros < 0n ? -x.micros : x.micros };
  const value = numberArgument(name, x);
  if (name === "abs") return num(Math.abs(value));
  if (name === "round")
    return num(roundHalfEven(value, digits === undefined ? 0 : numberArgument(name, digits)));
  return num(MATH[name]!(value));
}

function numberArgument(fn: string, value: ParameterValue): number {
  if (value.kind !== "number") throw new ParameterValueError(`${fn}() needs numbers, got a ${value.kind}`);
  return value.value;
}

const NUMBER_TEXT = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A parameter's value inside an expression: a number, or ISO text read as a datetime (as dateutil would). */
function operand(name: string, raw: unknown): ParameterValue {
  if (typeof raw === "number") return num(raw);
  if (typeof raw === "bigint") return num(Number(raw));
  if (raw instanceof Date) return fromDate(raw);
  if (typeof raw === "string") {
    if (NUMBER_TEXT.test(raw)) return num(Number(raw));
    const parsed = isoDatetime(raw.trim());
    if (parsed !== undefined) return parsed;
  }
  throw new ParameterValueError(
    `parameter "${name}" is ${JSON.stringify(raw) ?? String(raw)}: inside an expression a parameter must be a number or an ISO date`,
  );
}

function isoDatetime(text: string): ParameterValue | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, f, zone] = m.slice(1);
  let value = datetime({
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
    microsecond: Number((f ?? "").padEnd(6, "0")),
  });
  if (zone !== undefined && zone !== "Z") {
    // Read as UTC: "10:00+02:00" is 08:00.
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const minutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    value = binary("-", value, timedelta({ minutes }));
  }
  return value;
}
