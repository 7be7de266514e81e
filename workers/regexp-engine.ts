/**
 * Turns on V8's linear-time regular expression engine for the whole worker process (activities, the
 * workflow sandbox and the transform threads share V8's flags). Expressions then compile their regexes with
 * flag `l` where V8 supports the pattern (common/expressions/regex.ts), so no pattern that slipped past the
 * star-height check can backtrack for long. V8 reads the flag when a regex is compiled, so setting it at start,
 * before any expression runs, is enough; without it the regexes simply run on the backtracking engine.
 */
import { setFlagsFromString } from 'node:v8';

/** Enables the flag once per process. */
export function enableLinearRegExps(): void {
  setFlagsFromString('--enable-experimental-regexp-engine');
}
