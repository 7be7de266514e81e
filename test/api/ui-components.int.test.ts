/**
 * UI components as versioned forms (#12), on PostgreSQL: versions by component_id, the current version,
 * activate / deprecate with an active version immutable, 422 problem+json with a pointer per error and every
 * error at once; manual task definitions naming their form (resolved to ui_component_id on save), and a `task`
 * step naming a manual task refused.
 */
import request from 'supertest';
import { toFormSnapshot, uiComponentVersions } from '../../services/definitions';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

let api: TestApi;
let caller: TestCaller;

beforeAll(async () => {
  api = await createTestApi();
  caller = await createTestCaller(api.deps, [
    'ui_components:read',
    'ui_components:write',
    'task_definitions:read',
    'task_definitions:write',
    'workflow_definitions:read',
    'workflow_definitions:write',
  ]);
});
afterAll(async () => api.close());

let n = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${n++}`;

/** The brief's expense approval form. */
const form = (component_id: string, version = '1.0.0') => ({
  component_id,
  version,
  name: 'Expense approval',
  component_type: 'form',
  form_schema: {
    type: 'object',
    required: ['decision_note'],
    properties: {
      amount: { type: 'number' },
      decision_note: { type: 'string', minLength: 3 },
      priority: { type: 'string', enum: ['low', 'high'] },
    },
  },
  layout: {
    sections: [
      { title: 'Request', fields: ['amount'] },
      { title: 'Decision', fields: ['decision_note', 'priority'] },
    ],
    fields: {
      amount: { label: 'Amount (EUR)', readonly: true },
      decision_note: { label: 'Note', widget: 'textarea', help: 'Why?' },
      priority: { widget: 'radio' },
    },
  },
  actions: [
    { id: 'approve', label: 'Approve', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger', requires: ['decision_note'] },
  ],
});

const http = () => request(api.app);
const post = (path: string, body: object) => http().post(`/api/v1${path}`).set(caller.bearer).send(body);
const get = (path: string) => http().get(`/api/v1${path}`).set(caller.bearer);

describe('versions', () => {
  it('creates drafts, lists versions, answers the current one, activates, deprecates and freezes active ones', async () => {
    const id = uniq('expense');
    const v1 = await post('/ui-components', form(id)).expect(201);
    expect(v1.body).toMatchObject({ component_id: id, version: '1.0.0', status: 'draft', component_type: 'form' });
    expect(v1.headers.etag).toMatch(/^".+"$/);
    await post('/ui-components', form(id)).expect(409);
    await post(`/ui-components/${id}/versions`, { ...form(id, '1.1.0'), name: 'Expense approval v1.1' }).expect(201);
    const wrongId = await post(`/ui-components/${id}/versions`, form('other', '2.0.0')).expect(422);
    expect(wrongId.body.errors).toEqual([expect.objectContaining({ pointer: '/body/component_id' })]);

    const versions = await get(`/ui-components/${id}/versions`).expect(200);
    expect(versions.body.items.map((v: { version: string }) => v.version)).toEqual(['1.0.0', '1.1.0']);
    // No active version yet: the current one is the newest.
    expect((await get(`/ui-components/${id}`).expect(200)).body.version).toBe('1.1.0');

    await post(`/ui-components/${id}/versions/1.0.0/activate`, {}).expect(200);
    const current = await get(`/ui-components/${id}`).expect(200);
    expect(current.body).toMatchObject({ version: '1.0.0', status: 'active', actions: form(id).actions });
    expect((await get(`/ui-components/${id}/versions/1.1.0`).expect(200)).body.name).toBe('Expense approval v1.1');

    // An active version is immutable; a draft is replaced with If-Match.
    const put = (version: string, body: object, etag?: string) => {
      const req = http().put(`/api/v1/ui-components/${id}/versions/${version}`).set(caller.bearer);
      return (etag ? req.set('If-Match', etag) : req).send(body);
    };
    await put('1.0.0', { ...form(id), name: 'Changed' }, current.headers.etag).expect(409);
    const draft = await get(`/ui-components/${id}/versions/1.1.0`).expect(200);
    await put('1.1.0', { ...form(id, '1.1.0'), name: 'Renamed' }).expect(428);
    const renamed = await put('1.1.0', { ...form(id, '1.1.0'), name: 'Renamed' }, draft.headers.etag).expect(200);
    expect(renamed.body.name).toBe('Renamed');

    await post(`/ui-components/${id}/versions/1.1.0/activate`, {}).expect(200);
    expect((await get(`/ui-components/${id}`).expect(200)).body.version).toBe('1.1.0');
    await post(`/ui-components/${id}/versions/1.1.0/deprecate`, {}).expect(200);
    expect((await get(`/ui-components/${id}`).expect(200)).body.version).toBe('1.0.0');

    // Deleting: not an active version; a deprecated one goes.
    await http().delete(`/api/v1/ui-components/${id}/versions/1.0.0`).set(caller.bearer).expect(409);
    await http().delete(`/api/v1/ui-components/${id}/versions/1.1.0`).set(caller.bearer).expect(204);
    await get(`/ui-components/${id}/versions/1.1.0`).expect(404);
    await get(`/ui-components/${uniq('ghost')}`).expect(404);
  });

  it('lists versions newest first with filters and keyset paging', async () => {
    const id = uniq('paged');
    for (let i = 0; i < 5; i++) await post('/ui-components', form(id, `1.0.${i}`)).expect(201);
    await post(`/ui-components/${id}/versions/1.0.2/activate`, {}).expect(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await get('/ui-components')
        .query({ definition: id, limit: 2, ...(cursor && { cursor }) })
        .expect(200);
      seen.push(...res.body.items.map((r: { version: string }) => r.version));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['1.0.4', '1.0.3', '1.0.2', '1.0.1', '1.0.0']);
    const active = await get('/ui-components').query({ definition: id, status: 'active' }).expect(200);
    expect(active.body.items.map((r: { version: string }) => r.version)).toEqual(['1.0.2']);
    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await get('/ui-components').query({ definition: id, created_after: later })).body.items).toEqual([]);
  });

  it('validates without storing', async () => {
    const id = uniq('dry');
    expect((await post('/ui-components/validate', form(id)).expect(200)).body).toEqual({ valid: true, errors: [] });
    const bad = { ...form(id), actions: [...form(id).actions, { id: 'approve', label: 'Twice' }] };
    const res = await post('/ui-components/validate', bad).expect(200);
    expect(res.body).toEqual({
      valid: false,
      errors: [expect.objectContaining({ pointer: '/actions/2/id', code: 'duplicate_action_id' })],
    });
    await get(`/ui-components/${id}`).expect(404);
  });
});

describe('the form a human task renders', () => {
  it('is a frozen copy of the version, with one submit action when the form has none', async () => {
    const id = uniq('snap');
    await post('/ui-components', form(id)).expect(201);
    const { actions: _a, ...noActions } = form(id, '2.0.0');
    await post(`/ui-components/${id}/versions`, { ...noActions, ui_schema: { amount: { 'ui:autofocus': true } } });
    const v1 = toFormSnapshot(await uiComponentVersions.getVersion(api.deps.db, id, '1.0.0'));
    expect(v1).toEqual({
      componentId: id,
      version: '1.0.0',
      name: 'Expense approval',
      schema: form(id).form_schema,
      layout: form(id).layout,
      actions: form(id).actions,
    });
    const v2 = toFormSnapshot(await uiComponentVersions.getVersion(api.deps.db, id, '2.0.0'));
    expect(v2).toMatchObject({
      actions: [{ id: 'submit', label: 'Submit' }],
      uiSchema: { amount: { 'ui:autofocus': true } },
    });
  });
});

describe('422 with a pointer per error', () => {
  const refused = async (body: object) => {
    const res = await post('/ui-components', body).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return (res.body.errors as Array<{ pointer: string; message: string }>).map((e) => e.pointer);
  };

  it('a form_schema that is not a JSON Schema', async () => {
    const id = uniq('bad-schema');
    const pointers = await refused({ ...form(id), form_schema: { type: 'object', properties: { a: { type: 42 } } } });
    expect(pointers).toEqual(['/body/form_schema/properties/a/type']);
  });

  it('a form whose schema is not an object with properties', async () => {
    const { layout: _l, actions: _a, ...bare } = form(uniq('flat'));
    expect(await refused({ ...bare, form_schema: { type: 'string' } })).toEqual(['/body/form_schema']);
  });

  it('a layout naming a missing field, a field in two sections, a widget that does not fit', async () => {
    const doc = form(uniq('layout'));
    doc.layout.sections[0].fields.push('ghost', 'decision_note');
    (doc.layout.fields as Record<string, object>).amount = { widget: 'checkbox' };
    expect(await refused(doc)).toEqual([
      '/body/layout/sections/0/fields/1',
      '/body/layout/sections/1/fields/0',
      '/body/layout/fields/amount/widget',
    ]);
  });

  it('duplicate action ids and `requires` naming an unknown field, all at once', async () => {
    const doc = form(uniq('actions'));
    doc.actions.push({ id: 'approve', label: 'Again', style: 'primary', requires: ['nope'] } as never);
    expect(await refused(doc)).toEqual(['/body/actions/2/id', '/body/actions/2/requires/0']);
  });

  it('a shape error (unknown layout member) names its field', async () => {
    const doc = { ...form(uniq('shape')), layout: { columns: 2 } };
    expect(await refused(doc)).toEqual(['/body/layout/columns']);
  });
});

describe('manual task definitions', () => {
  const manual = (task_id: string, ui_component: object) => ({
    task_id,
    version: '1.0.0',
    name: 'Approve an expense',
    type: 'manual',
    config: {},
    ui_component,
  });
  const stored = (taskId: string) =>
    api.deps.db('task_execution_service.task_definitions').where({ task_id: taskId }).first();

  it('refuses an unknown component, version, or a component without an active version (422 with a pointer)', async () => {
    const missing = await post('/task-definitions', manual(uniq('m'), { component_id: uniq('ghost') })).expect(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ pointer: '/body/ui_component/component_id' })]);

    const id = uniq('form');
    await post('/ui-components', form(id)).expect(201);
    const noVersion = await post('/task-definitions', manual(uniq('m'), { component_id: id, version: '9.9.9' }));
    expect(noVersion.status).toBe(422);
    expect(noVersion.body.errors).toEqual([expect.objectContaining({ pointer: '/body/ui_component/version' })]);
    const noActive = await post('/task-definitions', manual(uniq('m'), { component_id: id })).expect(422);
    expect(noActive.body.errors).toEqual([
      expect.objectContaining({ pointer: '/body/ui_component', message: expect.stringMatching(/no active version/) }),
    ]);

    const noForm = await post('/task-definitions', { ...manual(uniq('m'), {}), ui_component: undefined });
    expect(noForm.status).toBe(422);
    expect(noForm.body.errors).toEqual([expect.objectContaining({ pointer: '/body/ui_component' })]);
  });

  it('resolves a known component to ui_component_id, pinned or current, and reads back the version', async () => {
    const id = uniq('form');
    const v1 = (await post('/ui-components', form(id)).expect(201)).body as { id: string };
    await post(`/ui-components/${id}/versions/1.0.0/activate`, {}).expect(200);
    const v2 = (await post(`/ui-components/${id}/versions`, form(id, '2.0.0')).expect(201)).body as { id: string };

    const current = uniq('approve');
    const created = await post('/task-definitions', manual(current, { component_id: id })).expect(201);
    expect(created.body.ui_component).toEqual({ component_id: id, version: '1.0.0' });
    expect(await stored(current)).toMatchObject({ ui_component_id: v1.id, type: 'manual' });

    const pinned = uniq('approve');
    await post('/task-definitions', manual(pinned, { component_id: id, version: '2.0.0' })).expect(201);
    expect(await stored(pinned)).toMatchObject({ ui_component_id: v2.id });
    // Its form is a draft: the task cannot be activated until the form is.
    await post(`/task-definitions/${pinned}/versions/1.0.0/activate`, {}).expect(409);
    await post(`/ui-components/${id}/versions/2.0.0/activate`, {}).expect(200);
    await post(`/task-definitions/${pinned}/versions/1.0.0/activate`, {}).expect(200);
    const read = await get(`/task-definitions/${pinned}`).expect(200);
    expect(read.body).toMatchObject({ type: 'manual', ui_component: { component_id: id, version: '2.0.0' } });

    // A component version that is a task's form is not deleted.
    await post(`/ui-components/${id}/versions/2.0.0/deprecate`, {}).expect(200);
    const del = await http().delete(`/api/v1/ui-components/${id}/versions/2.0.0`).set(caller.bearer).expect(409);
    expect(del.body.detail).toContain(pinned);
  });

  it('refuses a form on an automatic task', async () => {
    const res = await post('/task-definitions', { ...manual(uniq('auto'), { component_id: 'x' }), type: 'echo' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/body/ui_component' })]);
  });

  it('a task step whose unpinned task resolves to a manual version cannot be activated', async () => {
    const id = uniq('form');
    await post('/ui-components', form(id)).expect(201);
    await post(`/ui-components/${id}/versions/1.0.0/activate`, {}).expect(200);
    const taskId = uniq('mixed');
    await post('/task-definitions', { task_id: taskId, version: '1.0.0', type: 'echo', config: {} }).expect(201);
    await post(`/task-definitions/${taskId}/versions/1.0.0/activate`, {}).expect(200);
    const workflowId = uniq('wf');
    const flow = {
      workflow_id: workflowId,
      name: 'Mixed',
      version: '1.0.0',
      steps: [{ id: 'a', type: 'task', task: taskId }],
    };
    await post('/workflow-definitions', flow).expect(201);
    // A later, manual version of the same task_id becomes the highest active one.
    await post(`/task-definitions/${taskId}/versions`, { ...manual(taskId, { component_id: id }), version: '2.0.0' });
    await post(`/task-definitions/${taskId}/versions/2.0.0/activate`, {}).expect(200);
    const res = await post(`/workflow-definitions/${workflowId}/versions/1.0.0/activate`, {}).expect(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ pointer: `/tasks/${taskId}`, message: expect.stringMatching(/manual task/) }),
    ]);
  });

  it('a task step naming a manual task is refused with a pointer at the step', async () => {
    const id = uniq('form');
    await post('/ui-components', form(id)).expect(201);
    await post(`/ui-components/${id}/versions/1.0.0/activate`, {}).expect(200);
    const taskId = uniq('approve');
    await post('/task-definitions', manual(taskId, { component_id: id })).expect(201);
    await post(`/task-definitions/${taskId}/versions/1.0.0/activate`, {}).expect(200);
    const flow = {
      workflow_id: uniq('wf'),
      name: 'Uses a manual task in a task step',
      version: '1.0.0',
      steps: [
        { id: 'ok', type: 'set', vars: { a: 1 } },
        { id: 'review', type: 'task', task: taskId },
        { id: 'pinned', type: 'task', task: `${taskId}@1.0.0` },
      ],
    };
    const res = await post('/workflow-definitions', flow).expect(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ pointer: '/body/steps/1/task', code: 'manual_task_in_task_step' }),
      expect.objectContaining({ pointer: '/body/steps/2/task', code: 'manual_task_in_task_step' }),
    ]);
  });
});
