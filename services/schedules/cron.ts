/**
 * Cron expressions as Temporal Schedules read them, checked before a schedule is stored so a bad one is a 422
 * naming the expression (Temporal would only answer "invalid argument" for the whole schedule):
 *
 * - 5 fields `minute hour day-of-month month day-of-week`, 6 (`... year`) or 7 (`second ... year`);
 * - `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <n><s|m|h|d>[/<phase>]`;
 * - each field a comma list of `*`, `n`, `a-b`, with an optional `/step`; month and weekday names (JAN, MON);
 * - a trailing `# comment`. A `CRON_TZ=`/`TZ=` prefix is refused: the schedule's `time_zone` says it.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const MINUTE: Field = { name: 'minute', min: 0, max: 59 };
const HOUR: Field = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: Field = { name: 'day of month', min: 1, max: 31 };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: Field = { name: 'day of week', min: 0, max: 7, names: DAYS };
const YEAR: Field = { name: 'year', min: 1970, max: 2999 };

const LAYOUTS: Record<number, Field[]> = {
  5: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK],
  6: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
  7: [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
};
const SHORTHANDS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const EVERY = /^@every\s+\d+[smhd](\/\d+[smhd])?$/;
const NUMBER = /^\d+$/;

/** The value of one atom (a number or, where the field has them, a name), or an error message. */
function value(atom: string, f: Field): number | string {
  const named = f.names?.indexOf(atom.toUpperCase() as never) ?? -1;
  if (named >= 0) return f === MONTH ? named + 1 : named;
  if (!NUMBER.test(atom)) return `${f.name}: "${atom}" is not a number${f.names ? ' or a name' : ''}`;
  const n = Number(atom);
  return n < f.min || n > f.max ? `${f.name}: ${n} is outside ${f.min}-${f.max}` : n;
}

/** The problem of one comma-separated item of a field (`*`, `n`, `a-b`, each with an optional `/step`). */
function itemError(item: string, f: Field): string | undefined {
  const [range, step, extra] = item.split('/');
  if (extra !== undefined || range === '') return `${f.name}: "${item}" is not a value, range or step`;
  if (step !== undefined && (!NUMBER.test(step) || Number(step) === 0))
    return `${f.name}: step "${step}" is not a positive number`;
  if (range === '*') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2) return `${f.name}: "${range}" is not a range`;
  const values = bounds.map((b) => value(b, f));
  const bad = values.find((v) => typeof v === 'string');
  if (bad !== undefined) return bad as string;
  if (values.length === 2 && (values[0] as number) > (values[1] as number))
    return `${f.name}: range "${range}" runs backwards`;
  return undefined;
}

/** Why `expr` is not a cron expression Temporal accepts, or undefined when it is one. */
export function cronError(expr: string): string | undefined {
  const body = expr.replace(/#.*$/, '').trim();
  if (/^(CRON_)?TZ=/.test(body)) return 'a time zone prefix is not allowed here: set the schedule\'s "time_zone"';
  if (body === '') return 'is empty';
  if (body.startsWith('@'))
    return SHORTHANDS.includes(body) || EVERY.test(body)
      ? undefined
      : `"${body}" is not one of ${SHORTHANDS.join(', ')} or "@every <n><s|m|h|d>[/<phase>]"`;
  const parts = body.split(/\s+/);
  const layout = LAYOUTS[parts.length];
  if (!layout) return `has ${parts.length} fields; expected 5 (minute hour day-of-month month day-of-week), 6 or 7`;
  for (const [i, part] of parts.entries()) {
    for (const item of part.split(',')) {
      const problem = itemError(item, layout[i]);
      if (problem) return problem;
    }
  }
  return undefined;
}
