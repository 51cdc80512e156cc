/**
 * The expression language of Great Expectations' suite parameters (`{"$PARAMETER": "…"}`,
 * called evaluation parameters before GX 1.0), parsed without `eval`. The grammar is
 * GX's `SuiteParameterParser` (great_expectations/core/suite_parameters.py, after
 * pyparsing's fourFn example):
 *
 *     expr   :: term [ ('+' | '-') term ]*
 *     term   :: factor [ ('*' | '/') factor ]*
 *     factor :: atom [ '^' factor ]*            (right-associative: 2^3^2 = 2^9)
 *     atom   :: '-'* ( call | PI | E | number | name | '(' expr ')' )
 *     call   :: name '(' ')' | name '(' expr, … ')' | name '(' key=expr, … ')'
 *
 * Names start with a letter and go on with letters, digits, `_` and `$`; keyword names are
 * letters and `_`. Signs bind tighter than `^`, as in GX (`-2^2` is 4); only the leading
 * minus signs of an atom count (GX stops at the first `+`).
 */
export type ParameterNode =
  | { kind: "number"; text: string; at: number }
  | { kind: "name"; name: string; at: number }
  | { kind: "constant"; name: "PI" | "E"; text: string; at: number }
  | { kind: "negate"; operand: ParameterNode; at: number }
  | { kind: "binary"; op: "+" | "-" | "*" | "/" | "^"; left: ParameterNode; right: ParameterNode; at: number }
  | {
      kind: "call";
      name: string;
      args: ParameterNode[];
      kwargs: [string, ParameterNode][];
      at: number;
    };

/** A syntax error at a 1-based character position of the expression. */
export class ParameterSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

interface Token {
  kind: "number" | "name" | "symbol" | "end";
  text: string;
  at: number;
}

const NUMBER = /(?:\d+|\.\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z][A-Za-z0-9_$]*/y;
const KEY = /[A-Za-z_]+(?=\s*=)/y;
const SYMBOLS = "+-*/^(),=";

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const at = i + 1;
    const word = match(KEY, text, i) ?? match(NAME, text, i);
    if (word !== undefined) {
      tokens.push({ kind: "name", text: word, at });
      i += word.length;
      continue;
    }
    const number = match(NUMBER, text, i);
    if (number !== undefined) {
      tokens.push({ kind: "number", text: number, at });
      i += number.length;
      continue;
    }
    if (SYMBOLS.includes(text[i]!)) {
      tokens.push({ kind: "symbol", text: text[i]!, at });
      i++;
      continue;
    }
    throw new ParameterSyntaxError(`unexpected character ${JSON.stringify(text[i])}`, at);
  }
  tokens.push({ kind: "end", text: "", at: text.length + 1 });
  return tokens;
}

function match(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

/**
 * Parses a suite parameter expression; throws a {@link ParameterSyntaxError} naming the
 * position of the first token that does not fit.
 *
 * @example
 * parseParameterExpression("now() - timedelta(days=1)");
 * // { kind: "binary", op: "-", left: { kind: "call", name: "now", … }, right: { kind: "call", name: "timedelta", kwargs: [["days", …]] } }
 */
export function parseParameterExpression(text: string): ParameterNode {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const isSymbol = (symbol: string) => peek().kind === "symbol" && peek().text === symbol;
  const expect = (symbol: string) => {
    const token = next();
    if (token.kind !== "symbol" || token.text !== symbol)
      throw new ParameterSyntaxError(`expected "${symbol}", found ${describe(token)}`, token.at);
  };

  /** A left-associative run of `operand`s joined by either of two operators. */
  const run = (
    ops: readonly ["+", "-"] | readonly ["*", "/"],
    operand: () => ParameterNode,
  ): ParameterNode => {
    let left = operand();
    while (isSymbol(ops[0]) || isSymbol(ops[1])) {
      const op = next();
      left = { kind: "binary", op: op.text as (typeof ops)[number], left, right: operand(), at: op.at };
    }
    return left;
  };
  const expr = (): ParameterNode => run(["+", "-"], term);
  const term = (): ParameterNode => run(["*", "/"], factor);
  const factor = (): ParameterNode => {
    const base = atom();
    if (!isSymbol("^")) return base;
    const op = next();
    return { kind: "binary", op: "^", left: base, right: factor(), at: op.at };
  };
  const atom = (): ParameterNode => {
    const signs: Token[] = [];
    while (isSymbol("+") || isSymbol("-")) signs.push(next());
    let node = primary();
    // GX negates once per leading "-", up to the first "+".
    const minus = signs.findIndex((s) => s.text !== "-");
    for (const sign of signs.slice(0, minus < 0 ? signs.length : minus).reverse())
      node = { kind: "negate", operand: node, at: sign.at };
    return node;
  };
  const primary = (): ParameterNode => {
    const token = next();
    if (token.kind === "number") return { kind: "number", text: token.text, at: token.at };
    if (token.kind === "symbol" && token.text === "(") {
      const inner = expr();
      expect(")");
      return inner;
    }
    if (token.kind !== "name")
      throw new ParameterSyntaxError(`expected a number, a name or "(", found ${describe(token)}`, token.at);
    if (isSymbol("(")) return call(token);
    const upper = token.text.toUpperCase();
    if (upper === "PI" || upper === "E")
      return { kind: "constant", name: upper, text: token.text, at: token.at };
    return { kind: "name", name: token.text, at: token.at };
  };
  const call = (name: Token): ParameterNode => {
    expect("(");
    const node = {
      kind: "call" as const,
      name: name.text,
      args: [] as ParameterNode[],
      kwargs: [] as [string, ParameterNode][],
      at: name.at,
    };
    if (isSymbol(")")) {
      next();
      return node;
    }
    const keyword = peek().kind === "name" && tokens[position + 1]?.text === "=";
    for (;;) {
      if (keyword) {
        const key = next();
        if (key.kind !== "name" || !/^[A-Za-z_]+$/.test(key.text))
          throw new ParameterSyntaxError(
            `expected a keyword argument (name=value), found ${describe(key)}`,
            key.at,
          );
        expect("=");
        node.kwargs.push([key.text, expr()]);
      } else {
        if (peek().kind === "name" && tokens[position + 1]?.text === "=")
          throw new ParameterSyntaxError("a call takes positional or keyword arguments, not both", peek().at);
        node.args.push(expr());
      }
      if (!isSymbol(",")) break;
      next();
    }
    expect(")");
    return node;
  };

  const tree = expr();
  const rest = peek();
  if (rest.kind !== "end") throw new ParameterSyntaxError(`unexpected ${describe(rest)}`, rest.at);
  return tree;
}

function describe(token: Token): string {
  return token.kind === "end" ? "the end of the expression" : `"${token.text}"`;
}
