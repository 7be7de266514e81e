/**
 * Event patterns: dot-separated segments; in subscription and trigger patterns `*` matches exactly one
 * segment and `**` any number (including none). Event names themselves never contain wildcards.
 * Pure and sandbox-safe.
 */

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const MAX_LENGTH = 255;

/** Why `name` is not a valid concrete event name, or undefined when it is. */
export function eventNameError(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_LENGTH) return `must be 1..${MAX_LENGTH} characters`;
  const bad = name.split('.').find((s) => !SEGMENT.test(s));
  return bad === undefined ? undefined : `segment "${bad}" must match [A-Za-z0-9_-]+ (no wildcards in an event name)`;
}

/** Why `pattern` is not a valid routing pattern, or undefined when it is. */
export function patternError(pattern: string): string | undefined {
  if (pattern.length === 0 || pattern.length > MAX_LENGTH) return `must be 1..${MAX_LENGTH} characters`;
  const bad = pattern.split('.').find((s) => s !== '*' && s !== '**' && !SEGMENT.test(s));
  return bad === undefined ? undefined : `segment "${bad}" must be a name [A-Za-z0-9_-]+, "*" or "**"`;
}

/** True when the pattern contains a wildcard segment (routing keeps those on a separate, small index). */
export function isWildcard(pattern: string): boolean {
  return pattern.split('.').some((s) => s === '*' || s === '**');
}

/** True when the concrete event name `name` matches `pattern`. */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!isWildcard(pattern)) return pattern === name;
  return matchSegments(pattern.split('.'), 0, name.split('.'), 0);
}

function matchSegments(p: string[], i: number, n: string[], j: number): boolean {
  while (i < p.length) {
    const seg = p[i];
    if (seg === '**') {
      // Collapse runs of `**`, then try every possible split point (patterns are short).
      while (p[i + 1] === '**') i++;
      if (i === p.length - 1) return true;
      for (let k = j; k <= n.length; k++) if (matchSegments(p, i + 1, n, k)) return true;
      return false;
    }
    if (j >= n.length || (seg !== '*' && seg !== n[j])) return false;
    i++;
    j++;
  }
  return j === n.length;
}
