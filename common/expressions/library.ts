/**
 * The built-in functions we replace in every evaluation, so the function library behaves the same in the
 * workflow sandbox and in Node and no single call can allocate or compute without bound:
 * - `$base64encode` / `$base64decode`: pure implementations (JSONata's need Buffer or btoa/atob);
 * - `$pad`, `$join`: refuse results over the string limit before allocating them;
 * - `$sort`: charges its comparisons to the step budget (its comparator runs outside evaluated nodes);
 * - `$distinct`: linear instead of quadratic, charged to the step budget.
 * Each keeps JSONata's own function object (signature, argument validation) and wraps its implementation.
 */
import jsonata from 'jsonata';
import { base64decode, base64encode } from './base64';
import { chargeSteps, limitsOf, type Focus } from './budget';
import { ExpressionLimitError } from './limits';

/** JSONata's representation of a built-in function (what `$pad` evaluates to). */
export interface BuiltinFunction {
  readonly _jsonata_function: true;
  readonly implementation: (this: Focus, ...args: never[]) => unknown;
  readonly signature?: unknown;
}

/** The names of JSONata's built-in functions (the staticFrame of jsonata 2.x). */
export const BUILTIN_NAMES = [
  'sum',
  'count',
  'max',
  'min',
  'average',
  'string',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'length',
  'trim',
  'pad',
  'match',
  'contains',
  'replace',
  'split',
  'join',
  'formatNumber',
  'formatBase',
  'formatInteger',
  'parseInteger',
  'number',
  'floor',
  'ceil',
  'round',
  'abs',
  'sqrt',
  'power',
  'random',
  'boolean',
  'not',
  'map',
  'zip',
  'filter',
  'single',
  'reduce',
  'sift',
  'keys',
  'lookup',
  'append',
  'exists',
  'spread',
  'merge',
  'reverse',
  'each',
  'error',
  'assert',
  'type',
  'sort',
  'shuffle',
  'distinct',
  'base64encode',
  'base64decode',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
  'eval',
  'toMillis',
  'fromMillis',
  'clone',
  'now',
  'millis',
] as const;

/**
 * JSONata's own built-ins, read synchronously: the evaluate-entry hook is called before the first `await`
 * of an evaluation, with the environment whose lookups reach the built-ins. (An asynchronous read would
 * make the first evaluation in a workflow take a different number of microtasks than later ones.)
 */
function readBuiltins(): Record<string, BuiltinFunction> {
  const found: Record<string, BuiltinFunction> = {};
  const probe = jsonata('0');
  probe.assign(
    Symbol.for('jsonata.__evaluate_entry') as unknown as string,
    (_e: unknown, _i: unknown, env: { lookup(n: string): unknown }) => {
      for (const name of BUILTIN_NAMES) found[name] = env.lookup(name) as BuiltinFunction;
    },
  );
  probe.evaluate(null).catch(() => undefined);
  if (!found.pad?.implementation)
    throw new Error('cannot read JSONata built-in functions (unexpected jsonata version?)');
  return found;
}

const builtins = readBuiltins();

function wrap(name: string, implementation: (this: Focus, ...args: never[]) => unknown): BuiltinFunction {
  return { ...builtins[name], implementation };
}

const original = (name: string) => builtins[name].implementation;

function checkLength(focus: Focus, length: number): void {
  const max = limitsOf(focus).stringLength;
  if (length > max) throw new ExpressionLimitError('stringLength', max);
}

/** A key equal for two values exactly when JSONata's deep equality says they are equal; undefined if unsure. */
function equalityKey(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return `n${value === 0 ? 0 : value}`;
    case 'boolean':
      return `b${value}`;
    case 'undefined':
      return 'u';
    case 'object': {
      if (value === null) return 'null';
      const parts: string[] = [];
      if (Array.isArray(value)) {
        for (const v of value) {
          const k = equalityKey(v);
          if (k === undefined) return undefined;
          parts.push(k);
        }
        return `[${parts.join(',')}]`;
      }
      for (const key of Object.getOwnPropertyNames(value).sort()) {
        const k = equalityKey((value as Record<string, unknown>)[key]);
        if (k === undefined) return undefined;
        parts.push(`${JSON.stringify(key)}:${k}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined; // functions compare by identity: leave them to JSONata
  }
}

function distinct(this: Focus, arr: unknown): unknown {
  if (!Array.isArray(arr) || arr.length <= 1) return original('distinct').call(this, arr as never);
  chargeSteps(this, arr.length);
  const seen = new Set<string>();
  const out: unknown[] = (arr as { sequence?: boolean }).sequence ? this.createSequence() : [];
  for (const value of arr) {
    const key = equalityKey(value);
    if (key === undefined) return original('distinct').call(this, arr as never);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(value);
    }
  }
  return out;
}

/** The overriding function objects, by name. */
export const OVERRIDES: Readonly<Record<string, BuiltinFunction>> = {
  base64encode: wrap('base64encode', (str: string | undefined) => (str === undefined ? undefined : base64encode(str))),
  base64decode: wrap('base64decode', (str: string | undefined) => (str === undefined ? undefined : base64decode(str))),
  pad: wrap('pad', function (this: Focus, str: string | undefined, width: number, char?: string) {
    if (str !== undefined) checkLength(this, Math.abs(Math.trunc(width)) * Math.max(1, char?.length ?? 1));
    return original('pad').call(this, str as never, width as never, char as never);
  }),
  join: wrap('join', function (this: Focus, strs: string[] | undefined, separator?: string) {
    if (Array.isArray(strs)) {
      let total = (separator?.length ?? 0) * Math.max(0, strs.length - 1);
      for (const s of strs) total += typeof s === 'string' ? s.length : 0;
      checkLength(this, total);
    }
    return original('join').call(this, strs as never, separator as never);
  }),
  sort: wrap('sort', function (this: Focus, arr: unknown, comparator?: unknown) {
    // Merge sort: about n log2 n comparisons, each awaited.
    if (Array.isArray(arr) && arr.length > 1) chargeSteps(this, Math.ceil(arr.length * Math.log2(arr.length)));
    return original('sort').call(this, arr as never, comparator as never);
  }),
  distinct: wrap('distinct', distinct),
};
