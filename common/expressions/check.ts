/**
 * What validation refuses in an expression before anything runs it: unparsable source and regular
 * expressions prone to catastrophic backtracking. Used by definition and trigger validation; the same
 * regex rule is enforced again at run time (so `$eval` cannot bypass it).
 */
import jsonata from 'jsonata';
import { isSafeRegex, regexLiterals, unsafeRegexMessage } from './regex';

/** The problems of one JSONata source, as messages (empty when it may run). */
export function expressionProblems(source: string): string[] {
  if (source.trim() === '') return ['empty expression'];
  let ast: unknown;
  try {
    ast = jsonata(source).ast();
  } catch (err) {
    // The source is quoted up to a length: an answer must not echo a megabyte expression back.
    const shown = source.trim();
    return [
      `unparsable JSONata "${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}": ${(err as Error).message}`,
    ];
  }
  return regexLiterals(ast)
    .filter((re) => !isSafeRegex(re.source))
    .map((re) => unsafeRegexMessage(re.source));
}
