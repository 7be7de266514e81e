/** Generators of malformed and hostile request bodies for the fuzz test (seeded, so failures reproduce). */

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request to send: a raw body string and its content type. */
export interface FuzzBody {
  kind: string;
  body: string;
  contentType: string;
}

const HOSTILE_STRINGS = [
  '',
  'a'.repeat(300),
  '\u0000',
  '\ud800',
  'x\udc00y',
  '../../etc/passwd',
  "'; DROP TABLE x; --",
  '{% $x %}',
  '*.**',
  'a..b',
  '🙂'.repeat(100),
];

function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1e308, -1e-308, 2 ** 53 + 1, 3.14][Math.floor(r() * 6)];
    case 3:
      return HOSTILE_STRINGS[Math.floor(r() * HOSTILE_STRINGS.length)];
    case 4:
      return 's'.repeat(Math.floor(r() * 2000));
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${i}`, randomValue(r, depth + 1)]),
      );
  }
}

function nested(depth: number, leaf: string): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** A random value whose JSON type differs from `like`'s. */
function otherType(r: () => number, like: unknown): unknown {
  for (;;) {
    const v = randomValue(r);
    if (typeOf(v) !== typeOf(like)) return v;
  }
}

/** Mutations that each make a valid `base` document invalid; `required` are its required keys. */
export function hostileBodies(
  r: () => number,
  base: Record<string, unknown>,
  required: string[],
  count: number,
): FuzzBody[] {
  const keys = required.length > 0 ? required : Object.keys(base);
  const pick = () => keys[Math.floor(r() * keys.length)];
  const json = (v: unknown, kind: string): FuzzBody => ({
    kind,
    body: JSON.stringify(v),
    contentType: 'application/json',
  });
  const makers: Array<() => FuzzBody> = [
    () => json(randomValue(r), 'random value'),
    () => {
      if (required.length === 0) return json({}, 'empty');
      const d = { ...base };
      delete d[pick()];
      return json(d, 'missing field');
    },
    () => {
      const k = pick();
      return json({ ...base, [k]: otherType(r, base[k]) }, 'wrong type');
    },
    () => json({ ...base, [`extra${Math.floor(r() * 9)}`]: randomValue(r) }, 'unknown field'),
    () => ({
      kind: '__proto__ key',
      body: JSON.stringify(base).replace(/^\{/, '{"__proto__":{"polluted":true},'),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'constructor key',
      body: JSON.stringify(base).replace(/^\{/, '{"constructor":{"prototype":{"polluted":true}},'),
      contentType: 'application/json',
    }),
    () => ({ kind: 'deep nesting', body: nested(50 + Math.floor(r() * 5000), '1'), contentType: 'application/json' }),
    () => ({
      kind: 'deep payload',
      body: JSON.stringify({ ...base, payload: JSON.parse(nested(40, '{}')) }),
      contentType: 'application/json',
    }),
    () => json({ ...base, payload: { s: HOSTILE_STRINGS[2 + Math.floor(r() * 2)] } }, 'unstorable string'),
    () => {
      const t = JSON.stringify(base);
      return {
        kind: 'invalid JSON',
        body: t.slice(0, Math.floor(r() * Math.min(40, t.length - 1))),
        contentType: 'application/json',
      };
    },
    () => ({
      kind: 'wrong content type',
      body: JSON.stringify(base),
      contentType: ['text/plain', 'application/xml', 'application/x-www-form-urlencoded'][Math.floor(r() * 3)],
    }),
    () => ({
      kind: 'oversized',
      body: JSON.stringify({ ...base, payload: { big: 'x'.repeat(1_100_000) } }),
      contentType: 'application/json',
    }),
    () => json({ ...base, [pick()]: 'z'.repeat(70_000) }, 'huge string field'),
  ];
  return Array.from({ length: count }, () => makers[Math.floor(r() * makers.length)]());
}
