/** Reads `--name value` from argv; undefined when absent. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value`);
  return value;
}

/** Like `argValue`, but the option must be there. */
export function requiredArg(argv: readonly string[], name: string): string {
  const value = argValue(argv, name);
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

/** Row counts such as `1000000,10M,100k`. */
export function parseRowCounts(text: string): number[] {
  return text.split(",").map((part) => {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(part.trim());
    if (!m) throw new Error(`invalid row count "${part}": expected a number such as 1000000 or 10M`);
    const scale = { "": 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2]!]!;
    return Math.round(Number(m[1]) * scale);
  });
}
