/**
 * Malformed requests derived from a route's valid fixture: raw payloads that are not JSON, not an object,
 * too deep, too large or of the wrong content type; JSON bodies with each property replaced by wrong values
 * or removed, unexpected fields and prototype-pollution keys; path parameters that break their schema.
 * Only variants the route's schema rejects are produced, so every one must be refused.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { RouteDefinition } from '../../../api/http/route';
import { taskDefinitionSchema, workflowDefinitionSchema } from '../../../common/definitions/schema';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** Definition bodies are declared loosely on the route (the service checks the whole document): judge variants by the document schema. */
const DOCUMENT_SCHEMAS: Record<string, object> = {
  WorkflowDefinition: workflowDefinitionSchema,
  TaskDefinition: taskDefinitionSchema,
};
const compiled = new Map<object, ValidateFunction>();
const compile = (schema: object) => compiled.get(schema) ?? compiled.set(schema, ajv.compile(schema)).get(schema) as ValidateFunction;

/** The schema a body of `route` must satisfy. */
export function bodyValidator(route: RouteDefinition): ValidateFunction {
  const doc = Object.entries(DOCUMENT_SCHEMAS).find(([name]) => route.operationId.includes(name) && route.body && !route.body.properties);
  return compile(doc ? doc[1] : (route.body as object));
}

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

const WRONG_VALUES: unknown[] = [12345, -1.5, 'a string', true, null, [], {}, ['x'], 'x'.repeat(100_000), deep(200)];

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
const FROM_URL: Record<string, [param: string, field: string]> = { workflowId: ['workflowId', 'workflow_id'], taskId: ['taskId', 'task_id'] };

/** Schema-invalid JSON texts derived from `valid` (`params`: the URL's, which may supply ids the body omits). */
export function bodyMutations(route: RouteDefinition, valid: Record<string, unknown>, params: Record<string, string> = {}): string[] {
  const check = bodyValidator(route);
  const fill = route.body?.properties ? {} : Object.fromEntries(Object.values(FROM_URL).filter(([p]) => params[p]).map(([p, field]) => [field, params[p]]));
  const validate = (body: unknown) => check(body && typeof body === 'object' && !Array.isArray(body) ? { ...fill, ...body } : body);
  const declared = Object.keys((route.body?.properties ?? {}) as object);
  const keys = [...new Set([...declared, ...Object.keys(valid)])];
  const out: string[] = [JSON.stringify({}), JSON.stringify({ ...valid, unexpected_field: 1 })];
  // Own "__proto__" / "constructor" keys only exist in JSON text (an object literal would set the prototype).
  const inner = JSON.stringify(valid).slice(1);
  out.push(`{"__proto__": {"admin": true}${inner === '}' ? '' : ','}${inner}`, `{"constructor": {"prototype": {"admin": true}}${inner === '}' ? '' : ','}${inner}`);
  for (const key of keys) for (const v of WRONG_VALUES) out.push(JSON.stringify({ ...valid, [key]: v }));
  for (const key of Object.keys(valid)) { const copy = { ...valid }; delete copy[key]; out.push(JSON.stringify(copy)); }
  return out.filter((text) => !validate(JSON.parse(text)));
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
      if (!validate(candidate)) { out.push(candidate); break; }
    }
  }
  return out;
}
