/**
 * Which timestamp texts PostgreSQL accepts as a `timestamptz`. A text can be well-formed and still be refused
 * there (`2026-13-45`, year 0000, an offset of +99 or +16:00), which would surface as a 500 from the database;
 * the API checks every timestamp it passes on (request `date-time` fields, list cursors) with this first.
 */

// ISO 8601 / RFC 3339, and PostgreSQL's own ISO output ("2026-01-31 23:59:59.123456+00").
const TIMESTAMP =
  /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:([Zz])|([+-])(\d\d)(?::?(\d\d)(?::?(\d\d))?)?)$/;

// PostgreSQL refuses time zone displacements beyond 15:59:59.
const MAX_OFFSET_HOURS = 15;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysIn = (year: number, month: number): number => (month === 2 && isLeap(year) ? 29 : DAYS[month - 1]!);

/** True when `text` is an instant with a time zone that PostgreSQL stores as a `timestamptz` as written. */
export function isStorableTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Year 0000 does not exist in PostgreSQL (1 BC is written "0001-... BC"); 60 is a leap second, which it accepts.
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (m[7]) return true;
  const [offH, offM, offS] = [m[9], m[10], m[11]].map((v) => Number(v ?? 0)) as [number, number, number];
  return offH <= MAX_OFFSET_HOURS && offM <= 59 && offS <= 59;
}
