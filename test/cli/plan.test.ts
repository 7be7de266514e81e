/** The plan of `aos apply` over fake stored rows: create, update, unchanged and conflict, and the write order. */
import type { LoadedDocument } from '../../cli/documents';
import { applyOrder, planDocument } from '../../cli/plan';

const doc = (kind: LoadedDocument['kind'], body: Record<string, unknown>, status?: string): LoadedDocument => ({
  source: `${kind}.yaml`,
  kind,
  id: String(body.workflow_id ?? body.task_id ?? body.event_id ?? body.triggerId ?? body.test_id),
  version: body.version as string | undefined,
  body,
  status,
});

const flow = { workflow_id: 'w', name: 'W', version: '1.0.0', steps: [{ id: 'done', type: 'succeed' }] };
const stored = (definition: unknown, status = 'draft') => ({
  row: { id: 'row-1', workflow_id: 'w', version: '1.0.0', status, definition, created_at: 'x', updated_at: 'y' },
  etag: '"e"',
});

describe('aos apply plan', () => {
  it('creates what is not stored, and activates it when the file says active', () => {
    expect(planDocument(doc('workflow', flow, 'active'), undefined)).toMatchObject({
      action: 'create',
      activate: true,
    });
    expect(planDocument(doc('workflow', flow), undefined)).toMatchObject({ action: 'create', activate: false });
  });

  it('is unchanged when the stored content equals the file, whatever the key order and server fields', () => {
    const reordered = { steps: [{ type: 'succeed', id: 'done' }], version: '1.0.0', name: 'W', workflow_id: 'w' };
    expect(planDocument(doc('workflow', flow), stored(reordered)).action).toBe('unchanged');
    expect(planDocument(doc('workflow', flow, 'active'), stored(flow, 'active')).action).toBe('unchanged');
  });

  it('updates a draft whose content differs, and activates a draft the file wants active', () => {
    const changed = { ...flow, name: 'Renamed' };
    expect(planDocument(doc('workflow', changed), stored(flow))).toMatchObject({
      action: 'update',
      writeContent: true,
      reason: 'draft content differs',
    });
    const activation = planDocument(doc('workflow', flow, 'active'), stored(flow));
    expect(activation).toMatchObject({ action: 'update', activate: true, reason: 'activate' });
    expect(activation.writeContent).toBeFalsy();
  });

  it('is a conflict when an active or deprecated version holds other content: bump the version', () => {
    const changed = { ...flow, name: 'Renamed' };
    for (const status of ['active', 'deprecated']) {
      const item = planDocument(doc('workflow', changed, 'active'), stored(flow, status));
      expect(item.action).toBe('conflict');
      expect(item.reason).toBe(`version 1.0.0 is ${status} with different content: bump the version`);
    }
  });

  it('compares task definitions with the API defaults (name = task_id, config {}, empty fields left out)', () => {
    const task = { task_id: 't', version: '1.0.0', type: 'echo', config: {} };
    const row = { id: 'r', task_id: 't', version: '1.0.0', name: 't', type: 'echo', config: {}, status: 'active' };
    expect(planDocument(doc('task', task), { row }).action).toBe('unchanged');
    expect(planDocument(doc('task', { ...task, timeouts: { start_to_close: '5s' } }), { row }).action).toBe('conflict');
  });

  it('compares a task form without a version by component only (the API pins the version on save)', () => {
    const task = { task_id: 't', version: '1.0.0', type: 'manual', config: {}, ui_component: { component_id: 'f' } };
    const form = { component_id: 'f', version: '2.0.0' };
    const row = {
      task_id: 't',
      version: '1.0.0',
      name: 't',
      type: 'manual',
      config: {},
      ui_component: form,
      status: 'draft',
    };
    expect(planDocument(doc('task', task), { row }).action).toBe('unchanged');
    const pinned = { ...task, ui_component: { component_id: 'f', version: '1.0.0' } };
    expect(planDocument(doc('task', pinned), { row }).action).toBe('update');
  });

  it('compares event definitions with null and empty-list defaults', () => {
    const event = { event_id: 'e', name: 'E', version: '1.0.0', pattern: 'order.created' };
    const row = {
      ...event,
      description: null,
      source_types: [],
      payload_schema: null,
      examples: [],
      ui_metadata: null,
      sequence_key_path: null,
      status: 'active',
    };
    expect(planDocument(doc('event', event, 'active'), { row }).action).toBe('unchanged');
    expect(planDocument(doc('event', { ...event, description: 'new' }), { row }).action).toBe('conflict');
    const draft = { ...row, status: 'draft' };
    expect(planDocument(doc('event', { ...event, description: 'new' }), { row: draft }).action).toBe('update');
    const moved = planDocument(doc('event', { ...event, pattern: 'order.placed' }), { row: draft });
    expect(moved).toMatchObject({ action: 'conflict' });
    expect(moved.reason).toContain('a pattern never changes');
  });

  it('compares a trigger through the workflow row its workflowDefinitionId resolves to, with the API defaults', () => {
    const trigger = { triggerId: 'g', workflowDefinitionId: 'w', eventPattern: 'a.b', triggerType: 'START' };
    const row = {
      id: 'g-row',
      triggerId: 'g',
      workflowDefinitionId: 'wf-row',
      eventPattern: 'a.b',
      triggerType: 'START',
      eventCondition: null,
      inputMapping: null,
      correlationKey: null,
      enabled: true,
      priority: 100,
      description: null,
      onRunning: 'skip',
      createdAt: 'x',
      updatedAt: 'y',
    };
    expect(planDocument(doc('trigger', trigger), { row, workflowRowId: 'wf-row' }).action).toBe('unchanged');
    expect(planDocument(doc('trigger', trigger), { row, workflowRowId: 'other-row' }).action).toBe('update');
    expect(
      planDocument(doc('trigger', { ...trigger, enabled: false }), { row, workflowRowId: 'wf-row' }),
    ).toMatchObject({
      action: 'update',
      writeContent: true,
    });
  });

  it('compares the fields a test definition file sets', () => {
    const test = { test_id: 'x', version: '1.0.0', name: 'X', target_type: 'workflow', target_id: 'w', test_cases: [] };
    const row = { ...test, id: 'r', description: null, workflow_definition_id: 'wf-row', status: 'draft' };
    expect(planDocument(doc('test', test), { row }).action).toBe('unchanged');
    expect(planDocument(doc('test', { ...test, test_cases: [{ case_id: 'a' }] }), { row }).action).toBe('update');
  });

  it('orders writes: tasks and events, then workflows, then triggers and tests', () => {
    const docs = [
      doc('test', { test_id: 'x', version: '1' }),
      doc('trigger', { triggerId: 'g' }),
      doc('workflow', flow),
      doc('event', { event_id: 'e', version: '1' }),
      doc('task', { task_id: 't', version: '1' }),
    ];
    expect(applyOrder(docs).map((d) => d.kind)).toEqual(['task', 'event', 'workflow', 'trigger', 'test']);
  });
});
