/**
 * Malformed requests derived from a route's valid fixture: raw payloads that are not JSON, not an object,
 * too deep, too large or of the wrong content type; JSON bodies with each property replaced by wrong values
 * (other types, NUL characters, unpaired surrogates, strings just over their bound, nesting past the API's
 * limit, huge arrays) or removed, unexpected fields and prototype-pollution keys; path parameters that break
 * their schema. Only variants the API must refuse are produced (its schema, or its edge checks for what
 * PostgreSQL cannot store), so every one must be refused. Unicode that is valid but awkward (U+2028, RTL
 * overrides, long grapheme clusters) is produced separately: it may be accepted, never a 5xx.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { RouteDefinition } from '../../../api/http/route';
import { MAX_REQUEST_JSON_DEPTH } from '../../../api/http/validate';
import { taskDefinitionSchema, workflowDefinitionSchema } from '../../../common/definitions/schema';
import { jsonSafetyErrors } from '../../../common/events/json-safety';

// Only whether a variant is valid matters here: stopping at the first error keeps a 20,000-step document linear.
const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats(ajv);

/** Definition bodies are declared loosely on the route (the service checks the whole document): judge variants by the document schema. */
const DOCUMENT_SCHEMAS: Record<string, object> = {
  WorkflowDefinition: workflowDefinitionSchema,
  TaskDefinition: taskDefinitionSchema,
};
const compiled = new Map<object, ValidateFunction>();
const compile = (schema: object) =>
  compiled.get(schema) ?? (compiled.set(schema, ajv.compile(schema)).get(schema) as ValidateFunction);

/** The schema a body of `route` must satisfy. */
export function bodyValidator(route: RouteDefinition): ValidateFunction {
  const doc = Object.entries(DOCUMENT_SCHEMAS).find(
    ([name]) => route.operationId.includes(name) && route.body && !route.body.properties,
  );
  return compile(doc ? doc[1] : (route.body as object));
}

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

const WRONG_VALUES: unknown[] = [
  12345,
  -1.5,
  'a string',
  true,
  null,
  [],
  {},
  ['x'],
  'x'.repeat(100_000),
  deep(200),
  // What PostgreSQL cannot store, nesting past the API's limit, a huge array.
  'nul\u0000inside',
  'lone \ud800 surrogate',
  '\udc00',
  { k: 'deep \u0000' },
  deep(MAX_REQUEST_JSON_DEPTH + 5),
  Array.from({ length: 20_000 }, (_, i) => i),
];

/** Valid but awkward unicode: line/paragraph separators, bidi overrides, a long grapheme cluster, ZWJ emoji. */
export const AWKWARD_STRINGS = [
  'line\u2028sep\u2029para',
  '\u202eevil\u202c',
  '\u05e9\u05dc\u05d5\u05dd',
  `e${'\u0301'.repeat(3000)}`,
  '\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67',
  '\ufeff\u200b',
];

/** Payloads the JSON parser refuses, or that exceed the body limit: refused even by routes without a body. */
export const UNPARSEABLE: Array<[string, string]> = [
  ['application/json', '{"name": '],
  ['application/json', 'not json at all'],
  ['application/json', `{"name": "${'x'.repeat(2 * 1024 * 1024)}"}`],
];

/** Payloads that parse (or are not JSON at all) but are no body a route accepts. */
export const NOT_A_BODY: Array<[string, string]> = [
  ['application/json', '[1,2,3]'],
  ['application/json', '"just a string"'],
  ['application/json', 'null'],
  ['application/json', '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'],
  ['application/json', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`],
  ['text/plain', '{"name": "x"}'],
  ['application/x-www-form-urlencoded', 'name=x&version=1'],
  ['application/xml', '<name>x</name>'],
  ['', ''],
];

/** Document ids a route takes from its URL when the body omits them. */
const FROM_URL: Record<string, [param: string, field: string]> = {
  workflowId: ['workflowId', 'workflow_id'],
  taskId: ['taskId', 'task_id'],
};

/** Schema-invalid JSON texts derived from `valid` (`params`: the URL's, which may supply ids the body omits). */
export function bodyMutations(
  route: RouteDefinition,
  valid: Record<string, unknown>,
  params: Record<string, string> = {},
): string[] {
  const check = bodyValidator(route);
  const fill = route.body?.properties
    ? {}
    : Object.fromEntries(
        Object.values(FROM_URL)
          .filter(([p]) => params[p])
          .map(([p, field]) => [field, params[p]]),
      );
  // Accepted only when the schema and the API's edge checks (NUL, surrogates, depth) both pass.
  const validate = (body: unknown) =>
    jsonSafetyErrors(body, '', MAX_REQUEST_JSON_DEPTH).length === 0 &&
    check(body && typeof body === 'object' && !Array.isArray(body) ? { ...fill, ...body } : body);
  const props = (route.body?.properties ?? {}) as Record<string, { maxLength?: number }>;
  const declared = Object.keys(props);
  const keys = [...new Set([...declared, ...Object.keys(valid)])];
  const out: string[] = [JSON.stringify({}), JSON.stringify({ ...valid, unexpected_field: 1 })];
  // Own "__proto__" / "constructor" keys only exist in JSON text (an object literal would set the prototype).
  const inner = JSON.stringify(valid).slice(1);
  out.push(
    `{"__proto__": {"admin": true}${inner === '}' ? '' : ','}${inner}`,
    `{"constructor": {"prototype": {"admin": true}}${inner === '}' ? '' : ','}${inner}`,
  );
  for (const key of keys) for (const v of WRONG_VALUES) out.push(JSON.stringify({ ...valid, [key]: v }));
  // Strings one character over their declared bound, and a key PostgreSQL cannot store.
  for (const [key, p] of Object.entries(props))
    if (p.maxLength !== undefined) out.push(JSON.stringify({ ...valid, [key]: 'a'.repeat(p.maxLength + 1) }));
  out.push(JSON.stringify({ ...valid, 'key\u0000': 1 }));
  for (const key of Object.keys(valid)) {
    const copy = { ...valid };
    delete copy[key];
    out.push(JSON.stringify(copy));
  }
  return out.filter((text) => !validate(JSON.parse(text)));
}

/** The valid body with each of its strings replaced, in turn, by each awkward unicode string (may be accepted). */
export function awkwardBodies(valid: Record<string, unknown>): string[] {
  const strings = Object.entries(valid)
    .filter(([, v]) => typeof v === 'string')
    .map(([k]) => k);
  return strings.flatMap((key) =>
    AWKWARD_STRINGS.map((v) => JSON.stringify({ ...valid, [key]: `${valid[key] as string}${v}` })),
  );
}

/** Path parameters with one value broken at a time (wrong format, pattern or length). */
export function badParams(route: RouteDefinition, params: Record<string, string>): Array<Record<string, string>> {
  if (!route.params) return [];
  const validate = compile(route.params);
  const props = (route.params.properties ?? {}) as Record<string, { maxLength?: number }>;
  const out: Array<Record<string, string>> = [];
  for (const [name, schema] of Object.entries(props)) {
    for (const value of ['not-a-uuid', 'bad id!', 'x'.repeat((schema.maxLength ?? 1000) + 1)]) {
      const candidate = { ...params, [name]: value };
      if (!validate(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}
