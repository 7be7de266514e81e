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
    return [`unparsable JSONata "${source.trim()}": ${(err as Error).message}`];
  }
  return regexLiterals(ast).filter((re) => !isSafeRegex(re.source)).map((re) => unsafeRegexMessage(re.source));
}
