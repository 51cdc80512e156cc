/**
 * The values a suite parameter expression computes with, and Python's rules for them (GX
 * evaluates with Python's `operator` module, `math`, `datetime` and `dateutil`): numbers,
 * datetimes and timedeltas. Datetimes are naive and read as UTC; both count microseconds
 * as Python does, in bigints so no year loses precision.
 */
export type ParameterValue =
  | { kind: "number"; value: number }
  | { kind: "datetime"; micros: bigint }
  | { kind: "timedelta"; micros: bigint };

/** Raised for an evaluation Python would refuse (TypeError, ValueError, ZeroDivisionError). */
export class ParameterValueError extends Error {}

export const num = (value: number): ParameterValue => ({ kind: "number", value });

const MIN_YEAR = 1;
const MAX_YEAR = 9999;

/** Python's `round()`: halves go to the even neighbour. */
export function roundHalfEven(value: number, digits = 0): number {
  const scale = 10 ** digits;
  const x = value * scale;
  const floor = Math.floor(x);
  const diff = x - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded / scale;
}

function checkYear(micros: bigint): bigint {
  const year = new Date(Number(micros / 1000n)).getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) throw new ParameterValueError("date value out of range");
  return micros;
}

/** A timedelta from Python's keyword arguments; fractions are rounded to the microsecond. */
export function timedelta(parts: Record<string, number>): ParameterValue {
  const unit: Record<string, number> = {
    weeks: 7 * 86_400e6,
    days: 86_400e6,
    hours: 3_600e6,
    minutes: 60e6,
    seconds: 1e6,
    milliseconds: 1e3,
    microseconds: 1,
  };
  let micros = 0n;
  for (const [name, amount] of Object.entries(parts)) {
    const size = unit[name];
    if (size === undefined)
      throw new ParameterValueError(`timedelta() got an unexpected keyword argument '${name}'`);
    micros += Number.isInteger(amount) ? BigInt(amount) * BigInt(size) : BigInt(roundHalfEven(amount * size));
  }
  return { kind: "timedelta", micros };
}

/** The positional order of Python's `timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks)`. */
export const TIMEDELTA_ORDER = [
  "days",
  "seconds",
  "microseconds",
  "milliseconds",
  "minutes",
  "hours",
  "weeks",
];
/** The positional order of `datetime(year, month, day, hour, minute, second, microsecond)`. */
export const DATETIME_ORDER = ["year", "month", "day", "hour", "minute", "second", "microsecond"];

/** `datetime(...)` with Python's range checks. */
export function datetime(parts: Record<string, number>): ParameterValue {
  for (const key of Object.keys(parts))
    if (!DATETIME_ORDER.includes(key))
      throw new ParameterValueError(`datetime() got an unexpected keyword argument '${key}'`);
  const get = (key: string, fallback?: number) => {
    const value = parts[key] ?? fallback;
    if (value === undefined) throw new ParameterValueError(`datetime() missing required argument '${key}'`);
    if (!Number.isInteger(value))
      throw new ParameterValueError(`datetime() argument '${key}' must be an integer`);
    return value;
  };
  const [y, mo, d] = [get("year"), get("month"), get("day")];
  const [h, mi, s, us] = [get("hour", 0), get("minute", 0), get("second", 0), get("microsecond", 0)];
  if (y < MIN_YEAR || y > MAX_YEAR) throw new ParameterValueError(`year ${y} is out of range`);
  if (mo < 1 || mo > 12) throw new ParameterValueError("month must be in 1..12");
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) throw new ParameterValueError("day is out of range for month");
  if (h < 0 || h > 23) throw new ParameterValueError("hour must be in 0..23");
  if (mi < 0 || mi > 59) throw new ParameterValueError("minute must be in 0..59");
  if (s < 0 || s > 59) throw new ParameterValueError("second must be in 0..59");
  if (us < 0 || us > 999_999) throw new ParameterValueError("microsecond must be in 0..999999");
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  date.setUTCFullYear(y);
  return { kind: "datetime", micros: BigInt(date.getTime()) * 1000n + BigInt(us) };
}

export function fromDate(date: Date): ParameterValue {
  return { kind: "datetime", micros: BigInt(date.getTime()) * 1000n };
}

/** Python's `datetime.isoformat()` of a naive datetime: microseconds only when not zero. */
export function isoFormat(micros: bigint): string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = Number(micros - seconds * 1_000_000n);
  // Years 1-9999 print as four digits: "YYYY-MM-DDTHH:MM:SS".
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return fraction === 0 ? base : `${base}.${String(fraction).padStart(6, "0")}`;
}

const typeName = (v: ParameterValue) =>
  v.kind === "number" ? (Number.isInteger(v.value) ? "int" : "float") : v.kind;

function unsupported(op: string, a: ParameterValue, b: ParameterValue): ParameterValueError {
  return new ParameterValueError(
    `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
  );
}

function finite(value: number): ParameterValue {
  if (Number.isNaN(value)) throw new ParameterValueError("the result is not a real number");
  return num(value);
}

/** `a op b` with Python's rules for numbers, datetimes and timedeltas. */
export function binary(
  op: "+" | "-" | "*" | "/" | "^",
  a: ParameterValue,
  b: ParameterValue,
): ParameterValue {
  if (a.kind === "number" && b.kind === "number") {
    if (op === "+") return num(a.value + b.value);
    if (op === "-") return num(a.value - b.value);
    if (op === "*") return num(a.value * b.value);
    if (op === "/") {
      if (b.value === 0) throw new ParameterValueError("division by zero");
      return num(a.value / b.value);
    }
    if (a.value === 0 && b.value < 0)
      throw new ParameterValueError("0.0 cannot be raised to a negative power");
    return finite(a.value ** b.value);
  }
  if (op === "+") {
    if (a.kind === "datetime" && b.kind === "timedelta")
      return { kind: "datetime", micros: checkYear(a.micros + b.micros) };
    if (a.kind === "timedelta" && b.kind === "datetime")
      return { kind: "datetime", micros: checkYear(a.micros + b.micros) };
    if (a.kind === "timedelta" && b.kind === "timedelta")
      return { kind: "timedelta", micros: a.micros + b.micros };
  }
  if (op === "-") {
    if (a.kind === "datetime" && b.kind === "timedelta")
      return { kind: "datetime", micros: checkYear(a.micros - b.micros) };
    if (a.kind === "datetime" && b.kind === "datetime")
      return { kind: "timedelta", micros: a.micros - b.micros };
    if (a.kind === "timedelta" && b.kind === "timedelta")
      return { kind: "timedelta", micros: a.micros - b.micros };
  }
  if (op === "*") {
    if (a.kind === "timedelta" && b.kind === "number") return scale(a.micros, b.value);
    if (a.kind === "number" && b.kind === "timedelta") return scale(b.micros, a.value);
  }
  if (op === "/") {
    if (a.kind === "timedelta" && b.kind === "number") {
      if (b.value === 0) throw new ParameterValueError("division by zero");
      return scale(a.micros, 1 / b.value);
    }
    if (a.kind === "timedelta" && b.kind === "timedelta") {
      if (b.micros === 0n) throw new ParameterValueError("division by zero");
      return num(Number(a.micros) / Number(b.micros));
    }
  }
  throw unsupported(op === "^" ? "** or pow()" : op, a, b);
}

function scale(micros: bigint, factor: number): ParameterValue {
  return { kind: "timedelta", micros: BigInt(roundHalfEven(Number(micros) * factor)) };
}

export function negate(value: ParameterValue): ParameterValue {
  if (value.kind === "number") return num(-value.value);
  if (value.kind === "timedelta") return { kind: "timedelta", micros: -value.micros };
  throw new ParameterValueError("bad operand type for unary -: 'datetime'");
}
