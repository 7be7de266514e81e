/**
 * Contract: the OpenAPI document is valid OpenAPI 3.1, lists exactly the mounted routes, and real
 * responses match the schemas it documents. The reference page and its assets are served locally.
 */
import { execFileSync } from 'node:child_process';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { toOpenApiPath } from '../../api/openapi/build';
import { allRoutes } from '../../api/routes';
import type { TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { fixtureFor, routeFixtures, send, type FixtureGroup } from './fixtures';
import { createTestApiWithWorker } from './fixtures/worker';

let api: TestApi;
let admin: TestCaller;
let doc: { openapi: string; paths: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  api = await createTestApiWithWorker('contract');
  admin = await createTestCaller(api.deps, ['*'], 'admin');
  doc = (await request(api.app).get('/api/v1/openapi.json').expect(200)).body;
});
afterAll(async () => api?.close());

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Routers mounted on the app, each as its list of "METHOD path". */
function mountedRouters(): string[][] {
  const stack = (api.app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack
    .filter((l) => l.handle?.stack)
    .map((l) =>
      (l.handle?.stack ?? [])
        .filter((x) => x.route)
        .flatMap((x) => Object.keys(x.route!.methods).map((m) => `${m.toUpperCase()} ${x.route!.path}`)),
    );
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (checked by @seriousme/openapi-schema-validator)', () => {
    // The validator is ESM-only; a child process loads it natively (jest's CommonJS runtime cannot).
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      let s = ''; for await (const c of process.stdin) s += c;
      const r = await new Validator().validate(JSON.parse(s));
      process.stdout.write(JSON.stringify(r));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      input: JSON.stringify(doc),
      cwd: process.cwd(),
    });
    const result = JSON.parse(out.toString()) as { valid: boolean; errors?: unknown };
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every mounted /api/v1 route, and nothing else', () => {
    const apiRouter = mountedRouters().find((r) => r.includes('GET /openapi.json'));
    expect(apiRouter).toBeDefined();
    const mounted = apiRouter!
      .map((r) => {
        const [m, p] = r.split(' ');
        return `${m} ${toOpenApiPath(p)}`;
      })
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(documented).toEqual(mounted);
    expect(mounted).toHaveLength(allRoutes().length);
  });

  it('states the permission and security of every operation', () => {
    for (const route of allRoutes()) {
      const op = doc.paths[toOpenApiPath(route.path)][route.method] as Record<string, unknown>;
      expect(op['x-permission']).toBe(route.permission);
      expect(op.operationId).toBe(route.operationId);
      if (route.permission !== 'public') expect(Object.keys(op.responses as object)).toContain('401');
    }
    const ids = allRoutes().map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

/**
 * Every schema object that lists its `properties` is closed for the contract check (unless it says
 * otherwise), so a field the code answers but the document does not describe fails too.
 */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v),
    ]),
  );
  if ('properties' in out && !('additionalProperties' in out) && !('unevaluatedProperties' in out))
    out.unevaluatedProperties = false;
  return out;
}

const pointer = (...parts: string[]) => parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

describe('real responses', () => {
  let fixtures: FixtureGroup;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  beforeAll(async () => {
    ajv.addSchema({ ...(closed(doc) as object), $id: 'https://aos.test/openapi.json' });
    fixtures = routeFixtures(api.deps, { worker: true });
    await fixtures.setup();
  });

  it.each(allRoutes().map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    '%s answers as documented',
    async (_name, route) => {
      const f = await fixtureFor(fixtures.table, route)(admin);
      const res = await send(api.app, route, f, admin.bearer);
      expect({ status: res.status, ...(res.status !== f.status && { problem: res.body }) }).toEqual({
        status: f.status,
      });
      const documented = doc.paths[toOpenApiPath(route.path)][route.method] as {
        responses: Record<string, { content?: Record<string, unknown>; headers?: object }>;
      };
      const response = documented.responses[String(res.status)];
      expect(response).toBeDefined();
      for (const header of Object.keys(response.headers ?? {}))
        expect({ header, value: res.headers[header.toLowerCase()] }).toEqual({ header, value: expect.any(String) });
      if (res.status === 204) {
        expect(response.content).toBeUndefined();
        expect(res.text ?? '').toBe('');
        return;
      }
      // A body needs a documented schema: "description only" would let any shape through.
      expect(Object.keys(response.content ?? {})).toEqual(['application/json']);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const validate = ajv.compile({
        $ref: `https://aos.test/openapi.json#${pointer('paths', toOpenApiPath(route.path), route.method, 'responses', String(res.status), 'content', 'application/json', 'schema')}`,
      });
      expect({ valid: validate(res.body), errors: validate.errors }).toEqual({ valid: true, errors: null });
    },
  );

  it('describes problem answers too', async () => {
    const validate = ajv.compile({
      $ref: `https://aos.test/openapi.json#${pointer('components', 'schemas', 'Problem')}`,
    });
    const res = await request(api.app)
      .post('/api/v1/ui-components')
      .set(admin.bearer)
      .send({ component_id: 'x', version: '1', name: 'X', form_schema: { type: 'not-a-type' } });
    expect(res.status).toBe(422);
    expect({ valid: validate(res.body), errors: validate.errors }).toEqual({ valid: true, errors: null });
  });
});

describe('reference page', () => {
  it('serves the HTML and every asset it references, from the installed package', async () => {
    const page = await request(api.app).get('/api/v1/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.startsWith('/api/v1/docs/')).toBe(true); // same origin, no CDN
      const res = await request(api.app).get(asset).expect(200);
      expect(Number(res.headers['content-length'] ?? res.text?.length ?? 0)).toBeGreaterThan(0);
    }
    const init = await request(api.app).get('/api/v1/docs/init.js').expect(200);
    expect(init.text).toContain('/api/v1/openapi.json');
  });
});
