/**
 * Test definitions (#14) through the API on PostgreSQL: created by target_id (current version, pinned) and by a
 * legacy row id; a bad one answers 422 with every error (schema, semantic, target) by pointer and writes nothing;
 * a draft's update is checked the same way. The served JSON Schemas (/api/v1/schemas/{kind}.json) compile, validate
 * a good document, and the write routes accept and drop a top-level `$schema`.
 */
import Ajv2020 from 'ajv/dist/2020';
import request from 'supertest';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

let api: TestApi;
let caller: TestCaller;
const p = `td${Date.now().toString(36)}`;
const workflowId = `${p}-orders`;
const taskId = `${p}-charge`;

const http = () => ({
  post: (path: string, body: object) => request(api.app).post(`/api/v1${path}`).set(caller.bearer).send(body),
  get: (path: string) => request(api.app).get(`/api/v1${path}`).set(caller.bearer),
});

const workflow = (version: string, extra: object[] = []) => ({
  workflow_id: workflowId,
  name: 'Orders',
  version,
  steps: [
    { id: 'charge', type: 'task', task: taskId },
    {
      id: 'each',
      type: 'foreach',
      items: '{% $input.items %}',
      steps: [{ id: 'ship', type: 'task', task: taskId }],
    },
    { id: 'wait', type: 'wait_for_event', event: 'order.paid', timeout: '3d' },
    ...extra,
  ],
});

beforeAll(async () => {
  api = await createTestApi();
  caller = await createTestCaller(api.deps, ['*']);
  const { post } = http();
  await post('/task-definitions', { task_id: taskId, version: '1.0.0', type: 'echo', config: {} }).expect(201);
  await post(`/task-definitions/${taskId}/versions/1.0.0/activate`, {}).expect(200);
  await post('/workflow-definitions', workflow('1.0.0')).expect(201);
  await post(`/workflow-definitions/${workflowId}/versions/1.0.0/activate`, {}).expect(200);
  // A newer draft with one more step: the current version stays 1.0.0 (the highest active one).
  await post('/workflow-definitions', workflow('1.1.0', [{ id: 'audit', type: 'task', task: taskId }])).expect(201);
});
afterAll(async () => api.close());

const testDoc = (testId: string, cases: object[], extra: object = {}) => ({
  test_id: testId,
  version: '1.0.0',
  name: 'Orders tests',
  target_type: 'workflow',
  target_id: workflowId,
  test_cases: cases,
  ...extra,
});

const goodCase = {
  case_id: 'pays-and-ships',
  tags: ['smoke'],
  input: { items: [1, 2] },
  mocks: [
    { step: 'charge', attempts: [{ error: { type: 'Declined' } }, { output: { ok: true } }] },
    { task: taskId, output: { shipped: true } },
  ],
  events: [{ event: 'order.paid', at_step: 'wait', after: '1h' }],
  expect: {
    status: 'completed',
    path_contains: ['charge', 'ship'],
    steps: { charge: { ok: true } },
    max_duration: '1d',
  },
};

const rows = (testId: string) => api.deps.db('testing_framework_service.test_definitions').where({ test_id: testId });

describe('creating test definitions', () => {
  it('by target_id alone: checked against the current version, not pinned', async () => {
    const id = `${p}-latest`;
    const res = await http()
      .post('/test-definitions', testDoc(id, [goodCase]))
      .expect(201);
    expect(res.body).toMatchObject({ target_id: workflowId, target_version: null, workflow_definition_id: null });
    expect(res.body.test_cases).toEqual([goodCase]);
    // `audit` exists only in the 1.1.0 draft: unknown in the current version (1.0.0).
    const bad = testDoc(`${id}-audit`, [{ case_id: 'a', mocks: [{ step: 'audit', output: 1 }] }]);
    const refused = await http().post('/test-definitions', bad).expect(422);
    expect(refused.body.errors).toEqual([
      { pointer: '/body/test_cases/0/mocks/0/step', message: expect.stringContaining(`${workflowId}@1.0.0`) },
    ]);
  });

  it('pinned to a version: fills the row id of that version and checks against it', async () => {
    const id = `${p}-pinned`;
    const cases = [
      { case_id: 'audited', mocks: [{ step: 'audit', output: 1 }], expect: { path: ['charge', 'audit'] } },
    ];
    const res = await http()
      .post('/test-definitions', testDoc(id, cases, { target_version: '1.1.0' }))
      .expect(201);
    const [row] = await api.deps.db('workflow_orchestrator_service.workflow_definitions').where({
      workflow_id: workflowId,
      version: '1.1.0',
    });
    expect(res.body).toMatchObject({ target_version: '1.1.0', workflow_definition_id: row.id });
  });

  it('by a legacy workflow_definition_id: target_id and target_version derived from the row', async () => {
    const [row] = await api.deps.db('workflow_orchestrator_service.workflow_definitions').where({
      workflow_id: workflowId,
      version: '1.0.0',
    });
    const { target_id: _t, ...legacy } = testDoc(`${p}-legacy`, [goodCase]);
    const res = await http()
      .post('/test-definitions', { ...legacy, workflow_definition_id: row.id })
      .expect(201);
    expect(res.body).toMatchObject({ target_id: workflowId, target_version: '1.0.0', workflow_definition_id: row.id });
  });

  it('refuses a row id that is not the pinned version, or of the other target type', async () => {
    const [row] = await api.deps.db('workflow_orchestrator_service.workflow_definitions').where({
      workflow_id: workflowId,
      version: '1.1.0',
    });
    const body = testDoc(`${p}-mismatch`, [], { target_version: '1.0.0', workflow_definition_id: row.id });
    const res = await http()
      .post('/test-definitions', { ...body, task_definition_id: row.id })
      .expect(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/body/task_definition_id',
      '/body/workflow_definition_id',
    ]);
    expect(await rows(`${p}-mismatch`)).toHaveLength(0);
  });

  it('answers 422 with every error at once (schema, semantic, target) and writes nothing', async () => {
    const id = `${p}-bad`;
    const body = testDoc(
      id,
      [
        goodCase,
        {
          case_id: 'pays-and-ships', // duplicate
          time_scale: 0, // schema: minimum 1
          mocks: [
            { step: 'charge', task: taskId, output: 1, error: { type: 'X' } }, // both step and task; output and error
            { step: 'wait', output: 1 }, // not a task step
            { task: 'not-used', when: '$$$(' }, // unknown task; bad JSONata
          ],
          events: [{ event: 'order.paid', at_step: 'nowhere' }],
          human_tasks: [{ step: 'charge', user: 'ann', action: 'approve' }], // not a human_task step
          expect: { assert: 'output.(', path_excludes: ['ghost'], surprise: 1 },
        },
      ],
      { settings: { concurrency: 99 } },
    );
    const res = await http().post('/test-definitions', body).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const pointers = (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
    const c = '/body/test_cases/1';
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/body/settings/concurrency',
        `${c}/time_scale`,
        `${c}/expect/surprise`,
        `${c}/case_id`,
        `${c}/mocks/0`,
        `${c}/mocks/1/step`,
        `${c}/mocks/2/task`,
        `${c}/mocks/2/when`,
        `${c}/events/0/at_step`,
        `${c}/human_tasks/0/step`,
        `${c}/expect/assert`,
        `${c}/expect/path_excludes/0`,
      ]),
    );
    expect(await rows(id)).toHaveLength(0);
  });

  it('an unknown target is a 422 on /body/target_id, an unknown pinned version on /body/target_version', async () => {
    const missing = await http()
      .post('/test-definitions', testDoc(`${p}-nowhere`, [], { target_id: `${p}-nope` }))
      .expect(422);
    expect(missing.body.errors).toEqual([{ pointer: '/body/target_id', message: expect.any(String) }]);
    const version = await http()
      .post('/test-definitions', testDoc(`${p}-nover`, [], { target_version: '9.9.9' }))
      .expect(422);
    expect(version.body.errors).toEqual([{ pointer: '/body/target_version', message: expect.any(String) }]);
    const task = await http()
      .post(
        '/test-definitions',
        testDoc(`${p}-task`, [{ case_id: 'x', events: [{ event: 'a' }] }], {
          target_type: 'task',
          target_id: taskId,
        }),
      )
      .expect(422);
    expect(task.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/body/test_cases/0/events']);
    expect(await rows(`${p}-nowhere`)).toHaveLength(0);
  });
});

describe('updating a draft', () => {
  it('is checked like a create: 422 with every error and nothing written; a valid change is saved', async () => {
    const id = `${p}-update`;
    const created = await http()
      .post('/test-definitions', testDoc(id, [goodCase]))
      .expect(201);
    const patch = (body: object, etag: string) =>
      request(api.app)
        .patch(`/api/v1/test-definitions/${created.body.id}`)
        .set(caller.bearer)
        .set('If-Match', etag)
        .send(body);
    const bad = await patch(
      {
        test_cases: [{ case_id: 'x', mocks: [{ step: 'ghost' }], expect: { status: 'maybe' } }],
        target_version: '7.0.0',
      },
      created.headers.etag,
    ).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(
      ['/body/target_version', '/body/test_cases/0/expect/status'].sort(),
    );
    const [row] = await rows(id);
    expect(row.test_cases).toEqual([goodCase]);
    // Pinning through an update fills the row id; renaming a case is checked against the pinned version.
    const ok = await patch(
      { target_version: '1.1.0', test_cases: [{ case_id: 'audit', mocks: [{ step: 'audit', output: 1 }] }] },
      created.headers.etag,
    ).expect(200);
    expect(ok.body).toMatchObject({ target_version: '1.1.0', workflow_definition_id: expect.any(String) });
  });
});

describe('JSON Schemas for editors', () => {
  const kinds = [
    'workflow-definition',
    'task-definition',
    'event-definition',
    'test-definition',
    'ui-component',
    'trigger',
  ];

  it.each(kinds)('serves %s publicly with its $id, Cache-Control and an ETag that answers 304', async (kind) => {
    const path = `/api/v1/schemas/${kind}.json`;
    const res = await request(api.app).get(path).expect(200);
    expect(res.body.$id).toBe(path);
    expect(res.headers['cache-control']).toMatch(/public/);
    expect(res.headers.etag).toMatch(/^".+"$/);
    await request(api.app).get(path).set('If-None-Match', res.headers.etag).expect(304);
    new Ajv2020({ strict: false, allErrors: true }).compile(res.body);
  });

  it('a valid test definition with $schema validates against the served schema and is created unchanged', async () => {
    const schema = (await request(api.app).get('/api/v1/schemas/test-definition.json').expect(200)).body;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const doc = { $schema: schema.$id, ...testDoc(`${p}-editor`, [goodCase], { settings: { time_scale: 1e4 } }) };
    expect(validate(doc)).toBe(true);
    expect(validate({ ...doc, test_cases: [{ case_id: 'x', mocks: [{ step: 'a', bogus: 1 }] }] })).toBe(false);
    const res = await http().post('/test-definitions', doc).expect(201);
    expect(res.body).not.toHaveProperty('$schema');
  });

  it('workflow, task, event definition, UI component and trigger files with $schema validate and are created without it', async () => {
    const compile = async (kind: string) =>
      new Ajv2020({ strict: false }).compile((await request(api.app).get(`/api/v1/schemas/${kind}.json`)).body);
    const files = {
      'workflow-definition': { ...workflow('3.0.0'), workflow_id: `${p}-editor-wf` },
      'task-definition': { task_id: `${p}-editor-task`, version: '1.0.0', type: 'noop', config: {} },
      'event-definition': { event_id: `${p}-editor-ev`, name: 'Ev', pattern: `${p}.editor`, version: '1.0.0' },
      'ui-component': {
        component_id: `${p}-editor-form`,
        version: '1.0.0',
        name: 'Form',
        component_type: 'form',
        form_schema: { type: 'object', properties: { note: { type: 'string' } } },
      },
      trigger: { workflowDefinitionId: workflowId, eventPattern: `${p}.editor.go`, triggerType: 'START' },
    };
    for (const [kind, file] of Object.entries(files)) {
      const doc = { $schema: `/api/v1/schemas/${kind}.json`, ...file };
      const validate = await compile(kind);
      expect({ kind, valid: validate(doc), errors: validate.errors }).toEqual({ kind, valid: true, errors: null });
      const res = await http().post(`/${kind}s`, doc).expect(201);
      expect(JSON.stringify(res.body)).not.toContain('$schema');
    }
  });
});
