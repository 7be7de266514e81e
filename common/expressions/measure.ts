/**
 * Estimated JSON size of a value, stopping as soon as it passes a cap. Objects are measured once per
 * evaluation (memo by identity), so a value that reuses one object many times (`{"a": $o, "b": $o}`, doubled
 * in a loop) is measured in time proportional to its distinct objects while its size grows as JSON would:
 * such values are refused long before anything serializes or walks them.
 */

/** Per-evaluation memo of object sizes (values are never mutated after a node produced them). */
export type SizeMemo = WeakMap<object, number>;

/** The approximate length of `JSON.stringify(value)`, or some number above `cap` once it is known to exceed it. */
export function jsonSize(value: unknown, cap: number, memo: SizeMemo): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 8;
    case 'boolean':
      return 5;
    case 'object':
      return value === null ? 4 : objectSize(value, cap, memo);
    default:
      return 0; // undefined and functions vanish from JSON
  }
}

function objectSize(value: object, cap: number, memo: SizeMemo): number {
  const known = memo.get(value);
  if (known !== undefined) return known;
  // JSONata's function values (lambdas carry their whole environment) serialize to nothing.
  if ('_jsonata_lambda' in value || '_jsonata_function' in value) return 0;
  memo.set(value, 0); // a cycle (never produced by JSONata itself) counts once
  let size = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && size <= cap; i++) size += 1 + jsonSize(value[i], cap - size, memo);
  } else {
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      size += key.length + 4 + jsonSize((value as Record<string, unknown>)[key], cap - size, memo);
      if (size > cap) break;
    }
  }
  memo.set(value, size);
  return size;
}
