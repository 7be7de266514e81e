/**
 * A fast path for the commonest expression, a plain variable path such as `$steps.fetch.output.id`: read it
 * directly instead of running JSONata. JSONata's evaluator is asynchronous throughout and creates dozens of
 * promises per expression, and in the workflow sandbox every promise costs a stack capture (the SDK's
 * promise hooks behind the stack-trace query), which made expressions the interpreter's main per-step cost.
 * The fast path only answers where property access and JSONata provably agree; anything else falls back.
 */

/** Returned when the expression is not a simple path, or JSONata's own rules are needed for this value. */
export const NOT_SIMPLE: unique symbol = Symbol('not a simple path');

const SIMPLE_PATH = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$/;

// Parsed paths by source (null: not simple). A pure cache of string parsing, so deterministic.
const parsed = new Map<string, string[] | null>();

function parse(src: string): string[] | null {
  let keys = parsed.get(src);
  if (keys === undefined) {
    const m = SIMPLE_PATH.exec(src);
    keys = m ? [m[1], ...m[2].split('.').slice(1)] : null;
    if (parsed.size > 5000) parsed.clear();
    parsed.set(src, keys);
  }
  return keys;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The value of `src` when it is `$name(.key)*` and JSONata would give the same answer, else NOT_SIMPLE.
 * Agreement holds when the variable is bound, every hop is a plain (non-array) object, and the result is not
 * an array: arrays follow JSONata's sequence rules (mapping, flattening, singletons), so those fall back.
 */
export function readSimplePath(src: string, vars: Record<string, unknown>): unknown {
  const keys = parse(src);
  if (!keys || !Object.prototype.hasOwnProperty.call(vars, keys[0])) return NOT_SIMPLE;
  let value = vars[keys[0]];
  // An unbound (undefined) variable makes JSONata look in its built-in functions: let it.
  if (value === undefined) return NOT_SIMPLE;
  for (let i = 1; i < keys.length; i++) {
    if (!isPlainObject(value)) return value === undefined ? undefined : NOT_SIMPLE;
    const key = keys[i];
    if (Object.prototype.hasOwnProperty.call(value, key)) value = value[key];
    else if (key in value)
      return NOT_SIMPLE; // inherited (`constructor`, `toString`): JSONata's business
    else return undefined;
  }
  return Array.isArray(value) || typeof value === 'function' ? NOT_SIMPLE : value;
}
