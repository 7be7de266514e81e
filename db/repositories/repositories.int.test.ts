/** Repositories against the harness's PostgreSQL: pagination, transitions, idempotent and ordered writes. */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createTestDb } from '../../test/helpers/db';
import { AppError } from '../../common/errors';
import { workflowDefinitions } from './workflow-definitions';
import { getWorkflowInstanceByTemporalId, insertWorkflowInstance, mirrorWorkflowInstance } from './workflow-instances';
import { listTaskInstancesOfWorkflow, mirrorTaskInstance } from './task-instances';
import { upsertTaskAttempts, type TaskAttemptRow } from './task-attempt-upsert';
import { insertEvent, insertEvents, type EventInsert } from './event-instances';
import { getQueueState } from './event-queue-state';
import { addDeadLetter, discardDeadLetter, markRedriven } from './dead-letter-queue';
import { findOpenSubscriptions, matchSubscription, registerSubscription } from './workflow-event-subscriptions';

let db: Knex;
beforeAll(() => {
  db = createTestDb();
});
afterAll(async () => {
  await db.destroy();
});

const uid = () => randomUUID().slice(0, 8);

async function definition(workflowId = `wf-${uid()}`) {
  return workflowDefinitions.insert(db, {
    workflow_id: workflowId,
    version: '1.0.0',
    name: 'Repo test',
    definition: { steps: [] },
  });
}

describe('keyset pagination', () => {
  it('walks every version newest first, without duplicates, and ends with a null cursor', async () => {
    const id = `paged-${uid()}`;
    for (let i = 0; i < 7; i++)
      await workflowDefinitions.insert(db, { workflow_id: id, version: `1.0.${i}`, name: `P ${i}`, definition: {} });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof workflowDefinitions.list>> = await workflowDefinitions.list(
        db,
        { businessId: id },
        { limit: 3, cursor },
      );
      seen.push(...page.items.map((r) => r.version));
      expect(page.items.every((r) => !('__cursor_ts' in r))).toBe(true);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['1.0.6', '1.0.5', '1.0.4', '1.0.3', '1.0.2', '1.0.1', '1.0.0']);
  });

  it('rejects a forged cursor as a 400, not a database error', async () => {
    const forged = Buffer.from('["1 OR 1=1", "x"]').toString('base64url');
    await expect(workflowDefinitions.list(db, {}, { cursor: forged })).rejects.toMatchObject({
      status: 400,
    } satisfies Partial<AppError>);
  });
});

describe('definition status transitions', () => {
  it('draft -> active -> deprecated, never back to draft', async () => {
    const def = await definition();
    expect((await workflowDefinitions.setStatus(db, def.id, 'active', 'ops'))?.activated_at).toBeInstanceOf(Date);
    expect(await workflowDefinitions.updateDraft(db, def.id, { name: 'changed' })).toBeUndefined();
    expect((await workflowDefinitions.setStatus(db, def.id, 'deprecated'))?.status).toBe('deprecated');
    expect(await workflowDefinitions.setStatus(db, def.id, 'draft')).toBeUndefined();
    expect(await workflowDefinitions.getLatestActive(db, def.workflow_id)).toBeUndefined();
  });
});

describe('lifecycle mirror', () => {
  it('a late workflow write never regresses a newer state', async () => {
    const def = await definition();
    const base = {
      temporal_workflow_id: `wf-${uid()}`,
      workflow_definition_id: def.id,
      definition_workflow_id: def.workflow_id,
      definition_version: '1.0.0',
    };
    expect(await mirrorWorkflowInstance(db, base, { status: 'running' }, 1)).toBe(true);
    expect(await mirrorWorkflowInstance(db, base, { status: 'completed', output: { ok: true } }, 3)).toBe(true);
    expect(await mirrorWorkflowInstance(db, base, { status: 'waiting' }, 2)).toBe(false);
    const row = await getWorkflowInstanceByTemporalId(db, base.temporal_workflow_id);
    expect(row).toMatchObject({ status: 'completed', output: { ok: true }, mirror_seq: 3 });
    expect((await insertWorkflowInstance(db, base)).created).toBe(false);
  });

  it('repeating a task write is a no-op and ordering holds per execution', async () => {
    const def = await definition();
    const { row: wi } = await insertWorkflowInstance(db, {
      temporal_workflow_id: `wf-${uid()}`,
      workflow_definition_id: def.id,
      definition_workflow_id: def.workflow_id,
      definition_version: '1.0.0',
    });
    const scheduledAt = new Date();
    const key = {
      workflow_instance_id: wi.id,
      step_id: 'call',
      execution_key: 'fanout.b1.call',
      step_path: 'fanout.b1.call',
      created_at: scheduledAt,
    };
    expect(await mirrorTaskInstance(db, { ...key, status: 'running', mirror_seq: 1 })).toBe(true);
    expect(await mirrorTaskInstance(db, { ...key, status: 'completed', output: [1, 2], mirror_seq: 2 })).toBe(true);
    expect(await mirrorTaskInstance(db, { ...key, status: 'completed', output: [1, 2], mirror_seq: 2 })).toBe(false);
    expect(await mirrorTaskInstance(db, { ...key, status: 'running', mirror_seq: 1 })).toBe(false);
    const rows = await listTaskInstancesOfWorkflow(db, wi.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'completed', output: [1, 2], step_path: 'fanout.b1.call' });
  });

  it('upserts many attempt rows in one statement, with the same seq guard as one at a time', async () => {
    const def = await definition();
    const { row: wi } = await insertWorkflowInstance(db, {
      temporal_workflow_id: `wf-${uid()}`,
      workflow_definition_id: def.id,
      definition_workflow_id: def.workflow_id,
      definition_version: '1.0.0',
    });
    const at = new Date('2026-11-02T10:00:00.000Z');
    const attempt = (i: number, more: Partial<TaskAttemptRow> = {}): TaskAttemptRow => ({
      workflow_instance_id: wi.id,
      execution_key: `run-1/${i}`,
      created_at: at,
      task_definition_id: null,
      task_id: 'noop',
      task_version: '1.0.0',
      step_id: `t${i}`,
      step_type: 'task',
      step_path: `fan.b${i}.t${i}`,
      status: 'running',
      input: JSON.stringify({ i, text: 'quote " comma , brace }' }),
      output: null,
      error: null,
      attempt: 1,
      started_at: at,
      completed_at: null,
      duration_ms: null,
      temporal_activity_id: String(i),
      mirror_seq: 2,
      ...more,
    });
    expect(
      await upsertTaskAttempts(
        db,
        [0, 1, 2].map((i) => attempt(i)),
      ),
    ).toBe(3);
    const ended = (i: number) =>
      attempt(i, {
        status: 'completed',
        output: JSON.stringify(['x', i]),
        completed_at: at,
        duration_ms: 0,
        mirror_seq: 3,
      });
    // Rows 0 and 1 end; row 2's stale "running" write (seq 2 again) is refused by the guard.
    expect(await upsertTaskAttempts(db, [ended(0), ended(1), attempt(2)])).toBe(2);
    const rows = (await listTaskInstancesOfWorkflow(db, wi.id)).sort((a, b) => a.step_id.localeCompare(b.step_id));
    expect(rows.map((r) => [r.step_id, r.status, r.output, r.step_path])).toEqual([
      ['t0', 'completed', ['x', 0], 'fan.b0.t0'],
      ['t1', 'completed', ['x', 1], 'fan.b1.t1'],
      ['t2', 'running', null, 'fan.b2.t2'],
    ]);
    expect(rows[0].input).toEqual({ i: 0, text: 'quote " comma , brace }' });
  });
});

describe('event store', () => {
  const ev = (eventId: string, more: Partial<EventInsert> = {}): EventInsert => ({
    eventId,
    pattern: 'order.created',
    version: null,
    source: { type: 'external' },
    timestamp: null,
    payload: {},
    metadata: {},
    eventDefinitionId: null,
    sequenceKey: null,
    maxAttempts: 3,
    dispatcherId: 'aos-event-dispatcher:repo-test',
    ...more,
  });

  it('stores an event_id once, with its delivery row, and answers a repeat with the stored event', async () => {
    const eventId = `ev-${uid()}`;
    const first = await insertEvent(db, ev(eventId, { payload: { n: 1 }, metadata: { correlationId: 'c1' } }));
    const again = await insertEvent(db, ev(eventId, { payload: { n: 2 } }));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, event: { id: first.event.id, payload: { n: 1 } } });
    const row = await db('event_processing_service.event_instances')
      .where({ event_id: eventId })
      .first('partition_key');
    expect(row?.partition_key).toMatch(/^\d{4}-\d\d$/);
    expect(await getQueueState(db, eventId)).toMatchObject({ status: 'pending', event_instance_id: first.event.id });
  });

  it('numbers concurrent events of one sequence without gaps', async () => {
    const key = `seq-${uid()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => insertEvent(db, ev(`${key}-${i}`, { pattern: 's.e', sequenceKey: key }))),
    );
    expect(results.map((r) => r.event.sequenceNumber).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('numbers a multi-event statement in input order and answers a repeated eventId with the first', async () => {
    const key = `seq-${uid()}`;
    await insertEvent(db, ev(`${key}-0`, { sequenceKey: key }));
    const results = await insertEvents(db, [
      ev(`${key}-1`, { sequenceKey: key }),
      ev(`${key}-0`, { sequenceKey: key }),
      ev(`${key}-2`, { sequenceKey: key }),
      ev(`${key}-1`, { sequenceKey: key }),
    ]);
    expect(results.map((r) => [r.event.eventId, r.event.sequenceNumber, r.created])).toEqual([
      [`${key}-1`, 2, true],
      [`${key}-0`, 1, false],
      [`${key}-2`, 3, true],
      [`${key}-1`, 2, false],
    ]);
  });

  it('keeps one open dead letter per event, which can be redriven or discarded once', async () => {
    const eventId = `dlq-${uid()}`;
    const a = await addDeadLetter(db, { event_id: eventId, error: { message: 'boom' }, attempts: 5 });
    const b = await addDeadLetter(db, { event_id: eventId, error: { message: 'boom again' }, attempts: 6 });
    expect(b).toMatchObject({ id: a.id, attempts: 6, error: { message: 'boom again' } });
    expect((await markRedriven(db, a.id))?.redrive_count).toBe(1);
    expect(await discardDeadLetter(db, a.id)).toBeUndefined();
  });
});

describe('subscriptions', () => {
  it('register idempotently, route by (pattern, correlation), close once on match', async () => {
    const corr = `order-${uid()}`;
    const values = {
      subscription_key: `wf-x/await/${corr}`,
      temporal_workflow_id: 'wf-x',
      step_id: 'await',
      event_pattern: 'invoice.reviewed',
      correlation_value: corr,
    };
    const { row } = await registerSubscription(db, values);
    expect((await registerSubscription(db, values)).created).toBe(false);
    expect((await findOpenSubscriptions(db, 'invoice.reviewed', corr)).map((s) => s.id)).toEqual([row.id]);
    expect(await findOpenSubscriptions(db, 'invoice.reviewed', 'other')).toEqual([]);
    expect((await matchSubscription(db, row.id, 'ev-1'))?.status).toBe('matched');
    expect(await matchSubscription(db, row.id, 'ev-2')).toBeUndefined();
  });
});
