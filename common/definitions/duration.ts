/**
 * Durations of the definition language. Pure and sandbox-safe: the interpreter and the validator share it.
 * Accepted: milliseconds as a number, `<n>ms|s|m|h|d` (`500ms`, `10s`, `1.5h`), or ISO-8601
 * `P[nW][nD][T[nH][nM][nS]]` (`PT30S`, `P3D`). Years and months are rejected: their length is ambiguous.
 */

const SHORT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const ISO =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Regex source for JSON Schema `pattern` of a duration string (short form or ISO-8601). */
export const DURATION_PATTERN =
  '^(\\d+(\\.\\d+)?(ms|s|m|h|d)|P(\\d+(\\.\\d+)?W)?(\\d+(\\.\\d+)?D)?(T(\\d+(\\.\\d+)?H)?(\\d+(\\.\\d+)?M)?(\\d+(\\.\\d+)?S)?)?)$';

/** Parses a duration to milliseconds, or returns undefined when it is not one. */
export function tryParseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const short = SHORT.exec(value);
  if (short) return Math.round(Number(short[1]) * UNIT_MS[short[2]]);
  const iso = ISO.exec(value);
  if (!iso || value === 'P' || value.endsWith('T')) return undefined;
  const [, w, d, h, m, s] = iso.map((x) => (x === undefined ? 0 : Number(x)));
  return Math.round(((((w * 7 + d) * 24 + h) * 60 + m) * 60 + s) * 1000);
}

/** Parses a duration to milliseconds; throws a TypeError naming the bad value. */
export function parseDuration(value: unknown): number {
  const ms = tryParseDuration(value);
  if (ms === undefined) throw new TypeError(`not a duration: ${JSON.stringify(value)} (use e.g. "10s", "5m", "PT1H")`);
  return ms;
}
