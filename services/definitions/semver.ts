/** Semantic-version ordering of definition versions ("latest active" = highest version, not newest row). */

function parts(v: string): { nums: number[]; pre: string | undefined } {
  const [core, ...pre] = v.split('-');
  return { nums: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre: pre.length ? pre.join('-') : undefined };
}

/** Compares two `MAJOR.MINOR.PATCH[-pre]` strings: negative when a < b. A pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === undefined) return 1;
  if (pb.pre === undefined) return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

/** The highest version among `rows`, or undefined. */
export function highest<T extends { version: string }>(rows: T[]): T | undefined {
  return rows.reduce<T | undefined>(
    (best, r) => (!best || compareVersions(r.version, best.version) > 0 ? r : best),
    undefined,
  );
}
