/**
 * Every string a request can store fits its column: each string property of every write route's body (and
 * of the workflow and task definition documents, which those routes check as a whole) that shares its name
 * with a bounded text column (`varchar(n)`, read from information_schema) declares a `maxLength` no longer
 * than the shortest such column, or is bounded by an enum, a const or a fixed format. Otherwise an over-long
 * value reaches PostgreSQL and fails there with a 500, and the schema and the database drift apart unseen.
 */
import request from 'supertest';
import type { JsonSchema } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import { taskDefinitionSchema, workflowDefinitionSchema } from '../../common/definitions/schema';
import { textColumnLengths } from '../../db/schema-inspect';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

let api: TestApi;
let admin: TestCaller;
let columns: Map<string, { table: string; max: number }[]>;

beforeAll(async () => {
  api = await createTestApi();
  admin = await createTestCaller(api.deps, ['*'], 'lengths');
  columns = await textColumnLengths(api.deps.db);
});
afterAll(async () => api?.close());

// Formats whose values are short by definition.
const BOUNDED_FORMATS = new Set(['uuid', 'date-time', 'date', 'time']);
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
// One atom of a pattern (a class, an escape or a plain character) with an optional bounded quantifier.
const ATOM = /^(?:\[[^\]]+\]|\\.|[^[\\{}()|*+?^$])(?:\{(\d+)(?:,(\d+))?\})?/;

/** The longest string a pattern like `^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$` accepts; undefined when unbounded. */
function patternBound(pattern: string): number | undefined {
  if (!pattern.startsWith('^') || !pattern.endsWith('$')) return undefined;
  let rest = pattern.slice(1, -1);
  let total = 0;
  while (rest.length > 0) {
    const m = ATOM.exec(rest);
    if (!m) return undefined;
    total += m[1] === undefined ? 1 : Number(m[2] ?? m[1]);
    rest = rest.slice(m[0].length);
  }
  return total;
}
// Body routes that only read (login looks a user up by username or email, up to 320 characters).
const READ_ONLY = new Set(['login']);

/** The longest string `s` accepts, or undefined when unbounded. */
function maxLengthOf(s: JsonSchema): number | undefined {
  const fromPattern = typeof s.pattern === 'string' ? patternBound(s.pattern) : undefined;
  const bounds = [
    s.maxLength as number | undefined,
    fromPattern === undefined ? undefined : Number(fromPattern),
  ].filter((n) => n !== undefined);
  return bounds.length > 0 ? Math.min(...(bounds as number[])) : undefined;
}

/** The documents whose string properties are checked: route bodies, and the definition documents. */
function documents(): Array<[string, JsonSchema]> {
  const bodies = allRoutes()
    .filter((r) => r.body && r.method !== 'get' && !READ_ONLY.has(r.operationId))
    .map((r) => [r.operationId, r.body!] as [string, JsonSchema]);
  return [
    ...bodies,
    ['WorkflowDefinition document', workflowDefinitionSchema],
    ['TaskDefinition document', taskDefinitionSchema],
  ];
}

/** Each top-level string property whose bound is missing or longer than the shortest column of its name. */
function unbounded(name: string, schema: JsonSchema): string[] {
  const out: string[] = [];
  for (const [prop, s] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    const types = ([] as unknown[]).concat(s.type ?? []);
    if (!types.includes('string')) continue;
    if (s.enum || s.const !== undefined || BOUNDED_FORMATS.has(String(s.format))) continue;
    const cols = columns.get(snake(prop)) ?? [];
    if (cols.length === 0) continue;
    const shortest = cols.reduce((a, b) => (b.max < a.max ? b : a));
    const max = maxLengthOf(s);
    if (max === undefined || max > shortest.max)
      out.push(
        `${name}: ${prop} maxLength ${max ?? 'none'} > ${shortest.table}.${snake(prop)} varchar(${shortest.max})`,
      );
  }
  return out;
}

describe('string lengths in the API match the database columns', () => {
  it('reads the bounded text columns from the database', () => {
    expect(columns.get('name')?.length).toBeGreaterThan(3);
  });

  it('every string a write route stores declares a maxLength within its column', () => {
    expect(documents().flatMap(([name, schema]) => unbounded(name, schema))).toEqual([]);
  });

  it('a name over 255 characters on a workflow or task definition is 422 naming the field, not a 500', async () => {
    const name = 'n'.repeat(256);
    const wf = await request(api.app)
      .post('/api/v1/workflow-definitions')
      .set(admin.bearer)
      .send({ workflow_id: 'long-name', name, version: '1.0.0', steps: [{ id: 'done', type: 'succeed' }] });
    const task = await request(api.app)
      .post('/api/v1/task-definitions')
      .set(admin.bearer)
      .send({ task_id: 'long-name', name, version: '1.0.0', type: 'echo', config: {} });
    for (const res of [wf, task]) {
      expect({
        status: res.status,
        pointers: (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer),
      }).toEqual({ status: 422, pointers: expect.arrayContaining([expect.stringMatching(/\/name$/)]) });
    }
  });
});
