/**
 * Regular expressions in expressions (`/(a+)+$/` literals, also inside `$eval` strings). V8's regex engine
 * backtracks, so a pattern with nested or overlapping repetition can take exponential time in one
 * synchronous call that no step budget can interrupt. Unsafe patterns are refused by definition and trigger
 * validation and again when evaluated (which covers `$eval`), with safe-regex2's star-height check (pure JS,
 * sandbox-safe). Star height does not catch every slow pattern (`a*a*a*a*$` is polynomial), so where the
 * process enables V8's linear-time engine (workers/regexp-engine.ts) every pattern it supports runs on it (flag
 * `l`: no backtracking at all; the matches are the same); and a pattern is never run against a string longer
 * than {@link MAX_REGEX_INPUT}.
 */
import safeRegex from 'safe-regex2';
import { ExpressionLimitError } from './limits';

/** Longest string a regular expression in an expression is run against. */
export const MAX_REGEX_INPUT = 100_000;

const verdicts = new Map<string, boolean>();

/** True when `source` has no nested or overlapping repetition (cached; a pure function of the source). */
export function isSafeRegex(source: string): boolean {
  let ok = verdicts.get(source);
  if (ok === undefined) {
    ok = safeRegex(source);
    if (verdicts.size > 5000) verdicts.clear();
    verdicts.set(source, ok);
  }
  return ok;
}

/** The message for an unsafe pattern (validation and run time say the same). */
export function unsafeRegexMessage(source: string): string {
  return `regular expression /${source}/ is prone to catastrophic backtracking (nested or overlapping repetition); simplify it`;
}

/** A regex that refuses inputs over {@link MAX_REGEX_INPUT} (JSONata only calls `exec`). */
class CappedRegExp extends RegExp {
  override exec(input: string): RegExpExecArray | null {
    if (input.length > MAX_REGEX_INPUT)
      throw new ExpressionLimitError('stringLength', MAX_REGEX_INPUT, 'regular expression input');
    return super.exec(input);
  }
}

// Per pattern and flags: whether V8 accepts it for the linear engine (not everywhere, nor every pattern).
const linear = new Map<string, boolean>();

function build(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  if (linear.get(key) !== false) {
    try {
      const re = new CappedRegExp(source, `${flags}l`);
      linear.set(key, true);
      return re;
    } catch {
      if (linear.size > 5000) linear.clear();
      linear.set(key, false);
    }
  }
  return new CappedRegExp(source, flags);
}

/**
 * JSONata's `RegexEngine` option: called as `new RegexEngine(literal)` for every regex literal it evaluates.
 * A constructor that returns an object makes `new` yield that object.
 */
export function SafeRegexEngine(this: unknown, literal: RegExp | string, flags?: string): RegExp {
  const source = typeof literal === 'string' ? literal : literal.source;
  if (!isSafeRegex(source)) throw Object.assign(new Error(unsafeRegexMessage(source)), { code: 'UnsafeRegex' });
  return build(source, typeof literal === 'string' ? (flags ?? '') : literal.flags);
}

/** Every regex literal in a parsed JSONata AST (walks the whole tree: regexes can sit in any position). */
export function regexLiterals(ast: unknown): RegExp[] {
  const found: RegExp[] = [];
  const stack: unknown[] = [ast];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (node instanceof RegExp) {
      found.push(node);
      continue;
    }
    for (const v of Object.values(node)) stack.push(v);
  }
  return found;
}
