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
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

let api: TestApi;
let admin: TestCaller;
let doc: { openapi: string; paths: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  api = await createTestApi();
  admin = await createTestCaller(api.deps, ['*'], 'admin');
  doc = (await request(api.app).get('/api/v1/openapi.json').expect(200)).body;
});
afterAll(async () => api.close());

interface Layer { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } }

/** Routers mounted on the app, each as its list of "METHOD path". */
function mountedRouters(): string[][] {
  const stack = (api.app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack.filter((l) => l.handle?.stack).map((l) => (l.handle?.stack ?? [])
    .filter((x) => x.route).flatMap((x) => Object.keys(x.route!.methods).map((m) => `${m.toUpperCase()} ${x.route!.path}`)));
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (checked by @seriousme/openapi-schema-validator)', () => {
    // The validator is ESM-only; a child process loads it natively (jest's CommonJS runtime cannot).
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      let s = ''; for await (const c of process.stdin) s += c;
      const r = await new Validator().validate(JSON.parse(s));
      process.stdout.write(JSON.stringify(r));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(doc), cwd: process.cwd() });
    const result = JSON.parse(out.toString()) as { valid: boolean; errors?: unknown };
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every mounted /api/v1 route, and nothing else', () => {
    const apiRouter = mountedRouters().find((r) => r.includes('GET /openapi.json'));
    expect(apiRouter).toBeDefined();
    const mounted = apiRouter!.map((r) => { const [m, p] = r.split(' '); return `${m} ${toOpenApiPath(p)}`; }).sort();
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
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

  it('describes real responses: each call validates against its documented schema', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: 'https://aos.test/openapi.json' });
    const check = async (method: 'get' | 'post', path: string, docPath: string, status: number, body?: object) => {
      const res = await request(api.app)[method](`/api/v1${path}`).set(admin.bearer).send(body);
      expect(res.status).toBe(status);
      const pointer = `/paths/${docPath.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses/${status}/content/${(status >= 400 ? 'application/problem+json' : 'application/json').replace(/\//g, '~1')}/schema`;
      const validate = ajv.compile({ $ref: `https://aos.test/openapi.json#${pointer}` });
      expect({ path, valid: validate(res.body), errors: validate.errors }).toEqual({ path, valid: true, errors: null });
      return res.body;
    };
    await check('get', '/users', '/users', 200);
    await check('get', '/roles', '/roles', 200);
    await check('post', '/ui-components', '/ui-components', 201, { component_id: 'contract-form', version: '1', name: 'Form', form_schema: { type: 'object' } });
    await check('get', '/ui-components', '/ui-components', 200);
    await check('post', '/ui-components', '/ui-components', 422, { component_id: 'x', version: '1', name: 'X', form_schema: { type: 'not-a-type' } });
    await check('get', '/auth/me', '/auth/me', 200);
    await check('get', '/observability/logs', '/observability/logs', 200);
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
