/**
 * Issue #16 item 4: an integration definition created from an OpenAPI 3 document calls an operation by its
 * operationId, parameters mapped from expressions, against a local server; the input is checked against the
 * document's parameters and body, the response against its schema when the task asks; a bad document is a 422
 * with pointers.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { activeTask, activeWorkflow } from '../engine-runs/harness';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';

jest.setTimeout(120_000);
let h: EventsHarness;
let server: Server;
let baseUrl: string;
const p = `oa${uniq()}`;
const received: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
/** What GET /pets/{id} answers: a valid pet, or (for id "bad") a body the document does not allow. */
const pet = (id: string) => (id === 'bad' ? { id: 7, name: null } : { id, name: `pet ${id}`, tags: ['a'] });

const DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'Pet store', version: '1.2.0' },
  servers: [{ url: 'http://pets.example.com/v1' }],
  paths: {
    '/pets/{petId}': {
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'getPet',
        parameters: [
          { name: 'fields', in: 'query', schema: { type: 'string' } },
          { name: 'X-Request-Id', in: 'header', required: true, schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
          },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
    },
    '/pets': {
      post: {
        operationId: 'createPet',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } },
        },
        responses: {
          '201': {
            description: 'made',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      NewPet: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } } },
      },
      Pet: {
        allOf: [
          { $ref: '#/components/schemas/NewPet' },
          {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string' }, note: { type: 'string', nullable: true } },
          },
        ],
      },
      Tag: { type: 'string' },
    },
    responses: {
      NotFound: { description: 'none', content: { 'application/json': { schema: { type: 'object' } } } },
    },
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://x');
      const match = /^\/v1\/pets\/([^/]+)$/.exec(url.pathname);
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && match) {
        const id = decodeURIComponent(match[1]);
        if (id === 'missing') return res.writeHead(404).end('{}');
        return res.end(JSON.stringify(pet(id)));
      }
      if (req.method === 'POST' && url.pathname === '/v1/pets')
        return res.writeHead(201).end(JSON.stringify({ id: 'p-9', ...JSON.parse(body) }));
      res.writeHead(500).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  h = await createEventsHarness({ worker: true });
  const def = await h.http
    .post('/api/v1/integration-definitions')
    .send({
      integration_id: `${p}-pets`,
      version: '1.0.0',
      name: 'Pets',
      integration_type: 'http',
      status: 'active',
      openapi: { document: DOCUMENT },
    })
    .expect(201);
  await h.http
    .post('/api/v1/integration-instances')
    .send({
      instance_id: `${p}-pets-local`,
      name: 'local pets',
      integration_definition_id: def.body.id,
      config: { base_url: baseUrl },
    })
    .expect(201);
});
afterAll(async () => {
  await h?.close();
  server?.close();
});

/** Runs one integration task call in a workflow and answers its result (or its failure). */
async function call(name: string, config: Record<string, unknown>, input: unknown): Promise<unknown> {
  await activeTask(h.db, {
    task_id: `${p}-${name}`,
    type: 'integration',
    config: { integration: `${p}-pets-local`, ...config },
  });
  await activeWorkflow(h.db, {
    workflow_id: `${p}-${name}-flow`,
    steps: [{ id: 'call', type: 'task', task: `${p}-${name}` } as never],
  });
  const started = await h.http.post(`/api/v1/workflow-definitions/${p}-${name}-flow/runs`).send({ input }).expect(201);
  return h.temporal.workflow.getHandle(started.body.workflow_id as string).result();
}

it('imports every operation by operationId, with its schemas, and records the import', async () => {
  const row = await h
    .db('integration_service.integration_definitions')
    .where({ integration_id: `${p}-pets` })
    .first();
  expect(row.operations.map((o: { name: string }) => o.name).sort()).toEqual(['createPet', 'getPet']);
  const get = row.operations.find((o: { name: string }) => o.name === 'getPet');
  expect(get).toMatchObject({ method: 'GET', openapi: { operation_id: 'getPet', path: '/pets/{petId}' } });
  expect(get.openapi.input_schema.required.sort()).toEqual(['X-Request-Id', 'petId']);
  expect(Object.keys(get.openapi.responses['200'].$defs).sort()).toEqual(['NewPet', 'Pet', 'Tag']);
  expect(row.ui_metadata.openapi).toEqual({
    title: 'Pet store',
    version: '1.2.0',
    server_url: 'http://pets.example.com/v1',
    operations: ['getPet', 'createPet'],
  });
});

it('calls an operation by operationId with parameters mapped from expressions', async () => {
  const out = await call(
    'get',
    {
      operation: 'getPet',
      input: { petId: '{% $input.id %}', fields: 'name,tags', 'X-Request-Id': "{% 'req-' & $input.id %}" },
      validate_response: true,
    },
    { id: 'a b/c' },
  );
  expect(out).toMatchObject({ status: 200, body: pet('a b/c') });
  const sent = received.at(-1)!;
  expect(sent).toMatchObject({ method: 'GET', url: '/v1/pets/a%20b%2Fc?fields=name%2Ctags' });
  expect(sent.headers['x-request-id']).toBe('req-a b/c');
});

it('sends the request body of an operation that takes one', async () => {
  const out = await call(
    'create',
    { operation: 'createPet', input: { body: { name: '{% $input.name %}' } } },
    { name: 'Rex' },
  );
  expect(out).toMatchObject({ status: 201, body: { id: 'p-9', name: 'Rex' } });
  expect(JSON.parse(received.at(-1)!.body)).toEqual({ name: 'Rex' });
});

it('refuses an input missing a required parameter, with its pointer, before calling', async () => {
  const before = received.length;
  const failure = (await call(
    'missing',
    { operation: 'getPet', input: { petId: '{% $input.id %}' } },
    { id: 'x' },
  ).catch((e: unknown) => e)) as { cause?: { type?: string; details?: unknown } };
  expect(failure.cause?.type).toBe('SchemaViolation');
  expect(JSON.stringify(failure.cause?.details)).toContain('/input/X-Request-Id');
  expect(received.length).toBe(before);
});

it('checks the response against the document when asked, and not otherwise', async () => {
  const config = { operation: 'getPet', input: { petId: 'bad', 'X-Request-Id': 'r' } };
  const failure = (await call('strict', { ...config, validate_response: true }, {}).catch((e: unknown) => e)) as {
    cause?: { type?: string; details?: unknown; message?: string };
  };
  expect(failure.cause?.type).toBe('SchemaViolation');
  expect(JSON.stringify(failure.cause?.details)).toMatch(/\/response\/body\/(id|name)/);
  await expect(call('lenient', config, {})).resolves.toMatchObject({ status: 200, body: pet('bad') });
});

it('answers 422 with pointers for a document it cannot use', async () => {
  const bad = await h.http
    .post('/api/v1/integration-definitions')
    .send({
      integration_id: `${p}-bad`,
      version: '1.0.0',
      name: 'Bad',
      integration_type: 'http',
      openapi: {
        document: {
          openapi: '3.1.0',
          paths: {
            '/a/{id}': { get: { operationId: 'a', responses: {} } },
            '/b': { get: { operationId: 'a', parameters: [{ $ref: 'https://elsewhere/p.json' }], responses: {} } },
          },
        },
        operations: ['a', 'nope'],
      },
    })
    .expect(422);
  const pointers = (bad.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
  expect(pointers).toEqual(
    expect.arrayContaining([
      '/body/openapi/document/paths/~1a~1{id}/get',
      '/body/openapi/document/paths/~1b/get/operationId',
      '/body/openapi/document/paths/~1b/get/parameters/0/$ref',
      '/body/openapi/document',
    ]),
  );
  const swagger = await h.http
    .post('/api/v1/integration-definitions')
    .send({
      integration_id: `${p}-v2`,
      version: '1.0.0',
      name: 'v2',
      integration_type: 'http',
      openapi: { document: { swagger: '2.0', paths: {} } },
    })
    .expect(422);
  expect(swagger.body.errors[0].pointer).toBe('/body/openapi/document/openapi');
});
