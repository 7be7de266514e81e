/**
 * Definition resources addressed by row id (api/http/definition-routes.ts, here integration definitions): ETag /
 * If-Match, draft -> active immutability, keyset pagination and filters. UI components moved to the
 * component_id/version routes of the other versioned kinds (ui-components.int.test.ts).
 */
import request from 'supertest';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

let api: TestApi;
let caller: TestCaller;

beforeAll(async () => {
  api = await createTestApi();
  caller = await createTestCaller(api.deps, ['integrations:read', 'integrations:write']);
});
afterAll(async () => api.close());

const post = (body: object) => request(api.app).post('/api/v1/integration-definitions').set(caller.bearer).send(body);

describe('updating a definition', () => {
  it('needs If-Match (428), refuses a stale ETag (412), and freezes content once active (409)', async () => {
    const created = await post({
      integration_id: 'approve-crm',
      version: '1.0.0',
      name: 'Approve',
      integration_type: 'crm',
      config_schema: { type: 'object' },
    }).expect(201);
    const id = created.body.id as string;
    const etag = created.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    expect(
      (await request(api.app).get(`/api/v1/integration-definitions/${id}`).set(caller.bearer).expect(200)).headers.etag,
    ).toBe(etag);

    const patch = (body: object, ifMatch?: string) => {
      const req = request(api.app).patch(`/api/v1/integration-definitions/${id}`).set(caller.bearer);
      return (ifMatch ? req.set('If-Match', ifMatch) : req).send(body);
    };
    await patch({ name: 'Approve invoice' }).expect(428);
    const updated = await patch({ name: 'Approve invoice' }, etag).expect(200);
    expect(updated.headers.etag).not.toBe(etag);
    await patch({ name: 'Lost update' }, etag).expect(412);
    const active = await patch({ status: 'active' }, updated.headers.etag).expect(200);
    await patch({ name: 'Too late' }, active.headers.etag).expect(409);
    await patch({ status: 'draft' }, '*').expect(409);
    await patch({ status: 'deprecated' }, '*').expect(200);
    // The previous versions are kept in the history table.
    const history = await api.deps
      .db('integration_service.integration_definition_history')
      .where({ definition_id: id });
    expect(history.length).toBeGreaterThanOrEqual(3);
  });

  it('rejects a config schema that is not a usable JSON Schema, naming the field', async () => {
    const res = await post({
      integration_id: 'broken',
      version: '1',
      name: 'Broken',
      integration_type: 'crm',
      config_schema: { type: 'object', properties: { a: { type: 42 } } },
    }).expect(422);
    expect(res.body.errors[0].pointer).toMatch(/^\/body\/config_schema/);
  });
});

describe('listing', () => {
  it('pages newest first with an opaque cursor, each row exactly once', async () => {
    for (let i = 0; i < 5; i++)
      await post({ integration_id: 'paged', version: `${i}`, name: `Paged ${i}`, integration_type: 'crm' }).expect(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(api.app)
        .get('/api/v1/integration-definitions')
        .query({ definition: 'paged', limit: 2, ...(cursor && { cursor }) })
        .set(caller.bearer)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((r: { version: string }) => r.version));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['4', '3', '2', '1', '0']);
  });

  it('rejects bad limits, tampered cursors and unknown filters with 400', async () => {
    const get = (query: object) =>
      request(api.app).get('/api/v1/integration-definitions').query(query).set(caller.bearer);
    await get({ limit: 201 }).expect(400);
    await get({ limit: 0 }).expect(400);
    expect((await get({ cursor: 'garbage' }).expect(400)).body.errors[0].pointer).toBe('/query/cursor');
    await get({ colour: 'blue' }).expect(400);
    await get({ created_after: 'yesterday' }).expect(400);
    const future = await get({ created_after: new Date(Date.now() + 86_400_000).toISOString() }).expect(200);
    expect(future.body.items).toEqual([]);
  });
});
