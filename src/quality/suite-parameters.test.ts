import { describe, expect, it } from "vitest";
import { parseParameterExpression } from "./parameter-expression.js";
import { substituteSuiteParameters } from "./suite-parameters.js";

const NOW = new Date("2024-03-01T12:30:00.000Z");
const value = (expression: string, parameters: Record<string, unknown> = {}) =>
  substituteSuiteParameters({ v: { $PARAMETER: expression } }, parameters, NOW).v;
const failure = (expression: string, parameters: Record<string, unknown> = {}) => {
  try {
    value(expression, parameters);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${expression} to fail`);
};

describe("suite parameter expressions (GX's SuiteParameterParser)", () => {
  it("follows GX's grammar: precedence, right-associative ^, signs binding tighter than ^", () => {
    expect(value("2 + 3 * 4")).toBe(14);
    expect(value("(2 + 3) * 4")).toBe(20);
    expect(value("2^3^2")).toBe(512);
    expect(value("-2^2")).toBe(4);
    expect(value("2 - -3")).toBe(5);
    expect(value("--3 + 0")).toBe(3);
    expect(value("10 / 4")).toBe(2.5);
    expect(value("1.5e2 + .5")).toBe(150.5);
    expect(value("2 * PI")).toBeCloseTo(2 * Math.PI, 15);
    expect(value("e * 1")).toBe(Math.E);
  });

  it("has GX's functions, with Python's rounding (halves to even)", () => {
    expect(value("round(2.5)")).toBe(2);
    expect(value("round(3.5)")).toBe(4);
    expect(value("round(2.675, 1)")).toBe(2.7);
    expect(value("trunc(-2.7)")).toBe(-2);
    expect(value("abs(-3) + sgn(-0.5)")).toBe(2);
    expect(value("exp(0) + sin(0) + cos(0) + tan(0)")).toBe(2);
  });

  it("evaluates now(), datetime() and timedelta() with Python's datetime arithmetic", () => {
    expect(value("now()")).toBe("2024-03-01T12:30:00");
    expect(value("now() - timedelta(days=1)")).toBe("2024-02-29T12:30:00");
    expect(value("now() + timedelta(hours=1.5, minutes=1)")).toBe("2024-03-01T14:01:00");
    expect(value("datetime(2024, 2, 29) + timedelta(1)")).toBe("2024-03-01T00:00:00");
    expect(value("datetime(year=2024, month=1, day=1) - timedelta(microseconds=1)")).toBe(
      "2023-12-31T23:59:59.999999",
    );
    expect(value("(now() - datetime(2024, 3, 1)) / timedelta(hours=1)")).toBe(12.5);
    expect(value("now() - 2 * timedelta(weeks=1)")).toBe("2024-02-16T12:30:00");
  });

  it("substitutes parameters: a lone name keeps its value as it is; in an expression it is a number or a date", () => {
    const parameters = { min_rows: 10, allowed: ["a", "b"], text_number: "7", since: "2024-01-31" };
    expect(value("min_rows", parameters)).toBe(10);
    expect(value("allowed", parameters)).toEqual(["a", "b"]);
    expect(value("text_number", parameters)).toBe("7");
    expect(value("min_rows * 2 + text_number", parameters)).toBe(27);
    expect(value("since - timedelta(days=1)", parameters)).toBe("2024-01-30T00:00:00");
    expect(value("since + timedelta(hours=2)", { since: "2024-01-31T10:00:00+02:00" })).toBe(
      "2024-01-31T10:00:00",
    );
    // GX's inline value for one expression: {"$PARAMETER": "x", "$PARAMETER.x": 5}.
    expect(substituteSuiteParameters({ v: { $PARAMETER: "x", "$PARAMETER.x": 5 } }, {}, NOW).v).toBe(5);
    expect(substituteSuiteParameters({ column: "c", n: 3 }, {}, NOW)).toEqual({ column: "c", n: 3 });
  });

  it("names the argument, the expression and what is wrong", () => {
    expect(failure("min_rows + 1")).toBe(
      'v: $PARAMETER "min_rows + 1": no value for parameter "min_rows" (no suite parameters were given)',
    );
    // As GX: a lone token must be a parameter, even a number or a constant.
    expect(failure("PI", { n: 1 })).toContain('no value for parameter "PI" (given: n)');
    expect(failure("now() -")).toContain(
      'expected a number, a name or "(", found the end of the expression at character 8',
    );
    expect(failure("timedelta(dys=1) + now()")).toContain(
      "timedelta() got an unexpected keyword argument 'dys'",
    );
    expect(failure("timedelta(days=1)")).toContain("a duration (timedelta), not a value");
    expect(failure("1 / 0")).toContain("division by zero");
    expect(failure("now() + 1")).toContain("unsupported operand type(s) for +: 'datetime' and 'int'");
    expect(failure("datetime(2023, 2, 29) + timedelta(0)")).toContain("day is out of range for month");
    expect(failure("nope(1) + 1")).toContain("unknown function nope()");
    expect(failure("n * 2", { n: "abc" })).toContain('parameter "n" is "abc"');
    expect(failure("round(x=1) + 1")).toContain("round() takes no keyword arguments");
    expect(failure("a;b")).toContain('unexpected character ";" at character 2');
  });

  it("parses without eval: names and calls stay data", () => {
    expect(failure("process.exit(1)")).toContain('unexpected character "."');
    expect(parseParameterExpression("f(a=1, b=2)")).toMatchObject({
      kind: "call",
      name: "f",
      kwargs: [
        ["a", { kind: "number", text: "1" }],
        ["b", { kind: "number", text: "2" }],
      ],
    });
  });
});
