/**
 * The functions AWS Step Functions adds to JSONata (#16), with the same names and arguments, so expressions
 * written for Step Functions run here unchanged: `$partition`, `$range`, `$hash`, `$random` (with an optional
 * seed), `$uuid` and `$parse`. Like the rest of the library they are pure and sandbox-safe and are charged to the
 * evaluation's budget: a call cannot allocate or compute without bound.
 *
 * Randomness comes from `Math.random`, which Temporal seeds per run in the workflow sandbox: `$random()` and
 * `$uuid()` are deterministic (replay gives the same values) in workflows and random elsewhere. A seeded
 * `$random(seed)` gives the same number everywhere.
 */
import { md5, sha1 } from '@noble/hashes/legacy';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { chargeSteps, limitsOf, type Focus } from './budget';
import { ExpressionLimitError } from './limits';

/** A function as JSONata's `registerFunction` takes it: an implementation and a signature. */
export interface Extension {
  implementation: (this: Focus, ...args: never[]) => unknown;
  /** JSONata signature syntax (argument types, `?` optional, `:` result). */
  signature: string;
}

/** A bad argument: the message names the function (`$range: step must not be 0`), as JSONata's own errors do. */
function argumentError(fn: string, message: string): Error {
  return Object.assign(new Error(`$${fn}: ${message}`), { code: 'ArgumentError' });
}

function checkArrayLength(focus: Focus, length: number): void {
  const max = limitsOf(focus).arrayLength;
  if (length > max) throw new ExpressionLimitError('arrayLength', max);
}

/** `$partition(array, size)`: the array in chunks of `size` items (the last may be shorter). */
function partition(this: Focus, array: unknown[] | undefined, size: number): unknown[][] | undefined {
  if (array === undefined) return undefined;
  const items = Array.isArray(array) ? array : [array];
  if (!Number.isInteger(size) || size < 1)
    throw argumentError('partition', 'the chunk size must be a positive integer');
  chargeSteps(this, items.length);
  const out: unknown[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `$range(start, end, step)`: start, start + step, ... up to and including `end` (step may be negative). */
function range(this: Focus, start: number, end: number, step = 1): number[] {
  if (![start, end, step].every(Number.isFinite))
    throw argumentError('range', 'start, end and step must be finite numbers');
  if (step === 0) throw argumentError('range', 'step must not be 0');
  if ((end - start) / step < 0) return [];
  const count = Math.floor((end - start) / step + 1e-9) + 1;
  checkArrayLength(this, count);
  chargeSteps(this, count);
  return Array.from({ length: count }, (_, i) => start + i * step);
}

const DIGESTS = new Map<string, (data: Uint8Array) => Uint8Array>([
  ['MD5', md5],
  ['SHA-1', sha1],
  ['SHA-256', sha256],
  ['SHA-384', sha384],
  ['SHA-512', sha512],
]);

/** UTF-8 bytes of a string, without TextEncoder (not every sandbox has it). Lone surrogates become U+FFFD. */
function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    let cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

/** `$hash(text, algorithm)`: the hex digest of the text's UTF-8 bytes; MD5, SHA-1, SHA-256, SHA-384 or SHA-512. */
function hash(this: Focus, text: string | undefined, algorithm: string): string | undefined {
  if (text === undefined) return undefined;
  const fn = DIGESTS.get(algorithm);
  if (!fn) throw argumentError('hash', `unknown algorithm "${algorithm}" (${[...DIGESTS.keys()].join(', ')})`);
  // One step per KiB of text (a step is ~0.1 ms in the sandbox; a pure-JS digest of a KiB takes less).
  chargeSteps(this, Math.ceil(text.length / 1024) + 1);
  return bytesToHex(fn(utf8(text)));
}

/** A 32-bit seed from any JSON value: FNV-1a over its JSON text. */
function seedOf(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: the first output of a small, well-mixed 32-bit generator, as a number in [0, 1). */
function seeded(seed: number): number {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** `$random([seed])`: a number in [0, 1); the same number for the same seed, everywhere. */
function random(seed?: unknown): number {
  return seed === undefined ? Math.random() : seeded(seedOf(seed));
}

const HEX = '0123456789abcdef';

/** `$uuid()`: a version 4 UUID (deterministic in workflows: Temporal seeds Math.random per run). */
function uuid(): string {
  let out = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) out += '-';
    else if (i === 14) out += '4';
    else if (i === 19) out += HEX[8 + Math.floor(Math.random() * 4)];
    else out += HEX[Math.floor(Math.random() * 16)];
  }
  return out;
}

/** `$parse(text)`: the JSON value a string holds (Step Functions' replacement for `$eval` on JSON text). */
function parse(this: Focus, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  // One step per KiB, as $hash; the parsed value is checked against the size limits like any result.
  chargeSteps(this, Math.ceil(text.length / 1024) + 1);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw argumentError('parse', `not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The added functions by name (`$random` replaces JSONata's own, which takes no seed). */
export const EXTENSIONS: Readonly<Record<string, Extension>> = {
  partition: { implementation: partition as Extension['implementation'], signature: '<an:a>' },
  range: { implementation: range as Extension['implementation'], signature: '<nnn?:a<n>>' },
  hash: { implementation: hash as Extension['implementation'], signature: '<ss:s>' },
  random: { implementation: random as Extension['implementation'], signature: '<j?:n>' },
  uuid: { implementation: uuid, signature: '<:s>' },
  parse: { implementation: parse as Extension['implementation'], signature: '<s:x>' },
};

/** Names of the added functions (documentation and tests walk this list). */
export const EXTENSION_NAMES = Object.keys(EXTENSIONS);
