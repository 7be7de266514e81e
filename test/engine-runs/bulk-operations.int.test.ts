/**
 * Bulk operations (#15 item 3): one action on every run or dead letter a filter matches, durably on Temporal at a
 * bounded rate, each item once. Real Temporal, real PostgreSQL, the real API and worker.
 */
import request from 'supertest';
import { BULK_ACTIONS as MIGRATION_BULK_ACTIONS } from '../../db/migrations/018_run_operations';
import { BULK_ACTIONS } from '../../common/contracts/bulk-operations';
import { startRun } from '../../services/runs';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';
import { activeWorkflow, eventually } from './harness';

jest.setTimeout(120_000);

const WI = 'workflow_orchestrator_service.workflow_instances';
const CONTROL = 'workflow_orchestrator_service.workflow_control_actions';
const ITEMS = 'workflow_orchestrator_service.bulk_operation_items';
const ENDED = ['completed', 'cancelled', 'failed'];

let h: EventsHarness;
let ops: TestCaller;
let bulkOnly: TestCaller;
const p = `bulk${uniq()}`;

beforeAll(async () => {
  h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
  ops = await createTestCaller(
    h.deps,
    [
      'bulk_operations:create',
      'bulk_operations:read',
      'bulk_operations:cancel',
      'workflow_instances:cancel',
      'workflow_instances:terminate',
      'dead_letters:write',
    ],
    'ops',
  );
  bulkOnly = await createTestCaller(h.deps, ['bulk_operations:create', 'bulk_operations:read'], 'bulk-only');
});

afterAll(async () => {
  await h?.close();
});

const create = (body: object, caller = ops, headers: Record<string, string> = {}) =>
  request(h.app).post('/api/v1/bulk-operations').set(caller.bearer).set(headers).send(body);
const get = (path: string) => request(h.app).get(`/api/v1/bulk-operations${path}`).set(ops.bearer);

/** Polls the operation until it has ended; answers its view. */
async function ended(id: string, ms = 60_000): Promise<Record<string, unknown>> {
  let last: unknown;
  try {
    return await eventually(async () => {
      const res = await get(`/${id}`);
      last = res.body;
      return ENDED.includes(res.body.status) ? (res.body as Record<string, unknown>) : undefined;
    }, ms);
  } catch {
    const wf = await h.temporal.workflow
      .getHandle(`aos-bulk.${id}`)
      .describe()
      .then((d) => d.status.name)
      .catch((err: Error) => err.message);
    throw new Error(`operation ${id} did not end: ${JSON.stringify(last)}; its workflow: ${wf}`);
  }
}

/** A definition whose runs wait for an event that never comes. */
async function waitingFlow(name: string): Promise<string> {
  const workflowId = `${p}-${name}`;
  await activeWorkflow(h.db, {
    workflow_id: workflowId,
    steps: [
      { id: 'hold', type: 'wait_for_event', event: `${p}.never`, correlation: '{% $input.ref %}' },
      { id: 'done', type: 'succeed' },
    ],
  } as never);
  return workflowId;
}

/** Starts one run per key (undefined = no correlation key); answers their ids once all are mirrored `waiting`. */
async function waitingRuns(workflowId: string, keys: Array<string | undefined>): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, key] of keys.entries()) {
    const started = await startRun(h.deps, {
      workflowId,
      input: { ref: `r-${i}` },
      ...(key && { correlationKey: key }),
      trigger: { kind: 'api' },
    });
    ids.push(started.instanceId);
  }
  await eventually(async () => (await h.db(WI).whereIn('id', ids).where('status', 'waiting')).length === ids.length);
  return ids;
}

const statusOf = async (ids: string[]) =>
  Object.fromEntries(
    ((await h.db(WI).whereIn('id', ids).select('id', 'status')) as Array<{ id: string; status: string }>).map((r) => [
      r.id,
      r.status,
    ]),
  );

it('declares the actions migration 018 allows', () => {
  expect([...BULK_ACTIONS]).toEqual([...MIGRATION_BULK_ACTIONS]);
});

it('grants the operator role the bulk operation permissions, the viewer reading them', async () => {
  const granted = async (role: string) =>
    (
      await h
        .db('auth_service.role_permissions as rp')
        .join('auth_service.roles as r', 'r.id', 'rp.role_id')
        .join('auth_service.permissions as p', 'p.id', 'rp.permission_id')
        .where('r.role_id', role)
        .where('p.permission_id', 'like', 'bulk_operations:%')
        .pluck('p.permission_id')
    ).sort();
  expect(await granted('operator')).toEqual([
    'bulk_operations:cancel',
    'bulk_operations:create',
    'bulk_operations:read',
  ]);
  expect(await granted('viewer')).toEqual(['bulk_operations:read']);
});

describe('bulk actions on runs', () => {
  it('a bulk cancel by correlation key cancels exactly the matching runs and reports the count', async () => {
    const flow = await waitingFlow('cancel');
    const key = `${p}-A`;
    const ids = await waitingRuns(flow, [key, undefined, key, `${p}-B`, key, undefined]);
    const matching = [ids[0], ids[2], ids[4]];
    const res = await create({ action: 'cancel', filter: { definition: flow, correlation_key: key } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ action: 'cancel', status: 'pending', requested_by: ops.username });
    expect(res.body.workflow_id).toBe(`aos-bulk.${res.body.id}`);
    const done = await ended(res.body.id);
    expect(done).toMatchObject({ status: 'completed', matched: 3, succeeded: 3, failed: 0, skipped: 0, pending: 0 });
    await eventually(async () => {
      const s = await statusOf(ids);
      return matching.every((id) => s[id] === 'cancelled') ? s : undefined;
    });
    const s = await statusOf(ids);
    expect(ids.filter((id) => s[id] === 'cancelled').sort()).toEqual([...matching].sort());
    // Each cancel is in the run's control history, with the operator and the operation.
    const history = await h.db(CONTROL).where({ bulk_operation_id: res.body.id });
    expect(history.map((r) => r.workflow_instance_id).sort()).toEqual([...matching].sort());
    expect(
      history.every((r) => r.action === 'cancel' && r.principal === ops.username && r.principal_id === ops.userId),
    ).toBe(true);
    // Listed, newest first; the items show each target's outcome.
    const list = await get('?action=cancel&status=completed');
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: { id: string }) => o.id)).toContain(res.body.id);
    const items = await get(`/${res.body.id}/items?status=succeeded`);
    expect(items.body.items.map((i: { target_id: string }) => i.target_id).sort()).toEqual([...matching].sort());
  });

  it('terminate by definition and status: a closed run counts as skipped, open ones are terminated with the reason', async () => {
    const flow = await waitingFlow('terminate');
    const ids = await waitingRuns(flow, [undefined, undefined, undefined, undefined]);
    await request(h.app).post(`/api/v1/workflow-instances/${ids[0]}/cancel`).set(ops.bearer).expect(202);
    await eventually(async () => (await statusOf([ids[0]]))[ids[0]] === 'cancelled');

    // Runs the filter selects that are already closed are skipped, not failed.
    const closed = await create({ action: 'terminate', filter: { definition: flow, status: 'cancelled' } });
    expect(await ended(closed.body.id)).toMatchObject({ status: 'completed', matched: 1, succeeded: 0, skipped: 1 });
    const [item] = (await get(`/${closed.body.id}/items`)).body.items;
    expect(item).toMatchObject({ target_id: ids[0], status: 'skipped', result: { reason: 'already cancelled' } });

    const res = await create({
      action: 'terminate',
      filter: { definition: flow, status: ['waiting', 'running'] },
      options: { reason: 'bad release', rate_per_second: 50 },
    });
    expect(res.status).toBe(202);
    expect(await ended(res.body.id)).toMatchObject({ status: 'completed', matched: 3, succeeded: 3, skipped: 0 });
    const rows = await h.db(WI).whereIn('id', ids).select('id', 'status', 'error');
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[ids[0]].status).toBe('cancelled');
    for (const id of ids.slice(1))
      expect(byId[id]).toMatchObject({ status: 'terminated', error: { message: 'bad release' } });
    const history = await h.db(CONTROL).where({ bulk_operation_id: res.body.id });
    expect(history).toHaveLength(3);
    expect(history[0]).toMatchObject({ action: 'terminate', details: { reason: 'bad release' } });
  });

  it('a visibility query picks the runs through Temporal search attributes', async () => {
    const flow = await waitingFlow('query');
    const key = `${p}-vq`;
    const ids = await waitingRuns(flow, [key, undefined, key]);
    const query = `AosDefinitionId = '${flow}' AND AosCorrelationKey = '${key}'`;
    // Visibility is eventually consistent: wait until Temporal lists both.
    await eventually(async () => (await h.temporal.workflow.count(query)).count === 2);
    const res = await create({ action: 'cancel', filter: { query } });
    expect(res.status).toBe(202);
    expect(await ended(res.body.id)).toMatchObject({ status: 'completed', matched: 2, succeeded: 2 });
    await eventually(async () => {
      const s = await statusOf(ids);
      return s[ids[0]] === 'cancelled' && s[ids[2]] === 'cancelled';
    });
    expect((await statusOf([ids[1]]))[ids[1]]).toBe('waiting');

    // A query with other criteria: they narrow what it found.
    const narrowed = await create({
      action: 'cancel',
      filter: { query, status: 'waiting' },
      options: { dry_run: true },
    });
    expect(await ended(narrowed.body.id)).toMatchObject({ status: 'completed', dry_run: true, matched: 0 });
  });

  it('a repeated request (same idempotency key) answers the same operation and acts once', async () => {
    const flow = await waitingFlow('idem');
    const ids = await waitingRuns(flow, [undefined, undefined]);
    const body = { action: 'cancel', filter: { definition: flow } };
    const key = `${p}-idem`;
    const first = await create(body, ops, { 'Idempotency-Key': key });
    const again = await create(body, ops, { 'Idempotency-Key': key });
    const inBody = await create({ ...body, idempotency_key: key });
    expect(first.status).toBe(202);
    expect([again.status, inBody.status]).toEqual([200, 200]);
    expect([again.body.id, inBody.body.id]).toEqual([first.body.id, first.body.id]);
    expect(await ended(first.body.id)).toMatchObject({ matched: 2, succeeded: 2, idempotency_key: key });
    expect(await h.db(ITEMS).where({ bulk_operation_id: first.body.id })).toHaveLength(2);
    expect(await h.db(CONTROL).whereIn('workflow_instance_id', ids).where({ action: 'cancel' })).toHaveLength(2);
  });

  it('cancelling an operation mid-way stops it after the current batch; the rest stay pending', async () => {
    const flow = await waitingFlow('midway');
    const ids = await waitingRuns(
      flow,
      Array.from({ length: 6 }, () => undefined),
    );
    const res = await create({ action: 'cancel', filter: { definition: flow }, options: { rate_per_second: 1 } });
    await eventually(async () => ((await get(`/${res.body.id}`)).body.succeeded >= 1 ? true : undefined));
    const cancel = await request(h.app).post(`/api/v1/bulk-operations/${res.body.id}/cancel`).set(ops.bearer);
    expect(cancel.status).toBe(202);
    const done = await ended(res.body.id);
    expect(done.status).toBe('cancelled');
    expect(done.matched).toBe(6);
    expect(done.succeeded as number).toBeLessThan(6);
    expect(done.pending).toBe(6 - (done.succeeded as number));
    // Nothing moves after it ended.
    await new Promise((r) => setTimeout(r, 2_000));
    const later = (await get(`/${res.body.id}`)).body;
    expect(later.succeeded).toBe(done.succeeded);
    expect(await h.db(ITEMS).where({ bulk_operation_id: res.body.id, status: 'pending' })).toHaveLength(
      6 - (done.succeeded as number),
    );
    await eventually(async () => {
      const s = await statusOf(ids);
      return Object.values(s).filter((v) => v === 'cancelled').length === done.succeeded;
    });
    // An ended operation cannot be cancelled again.
    await request(h.app).post(`/api/v1/bulk-operations/${res.body.id}/cancel`).set(ops.bearer).expect(409);
  });

  it('a run that cannot be acted on fails with its reason, shown in the operation and its failed items', async () => {
    const flow = await waitingFlow('gone');
    const [id] = await waitingRuns(flow, [undefined]);
    // The mirror says waiting, but Temporal no longer has the run.
    await h.temporal.workflow.getHandle((await h.db(WI).where({ id }).first()).temporal_workflow_id).terminate('gone');
    await h
      .db(WI)
      .where({ id })
      .update({ status: 'waiting', temporal_workflow_id: `${p}-missing-${id}` });
    const res = await create({ action: 'cancel', filter: { definition: flow } });
    const done = await ended(res.body.id);
    expect(done).toMatchObject({ status: 'completed', matched: 1, failed: 1 });
    expect(done.failures).toEqual([{ target_id: id, error: expect.objectContaining({ message: expect.any(String) }) }]);
    const failed = await get(`/${res.body.id}/items?status=failed&limit=1`);
    expect(failed.body).toMatchObject({ items: [{ target_id: id, status: 'failed' }], next_cursor: null });
  });
});

describe('bulk actions on dead letters', () => {
  it('discards and redrives the dead letters a filter matches', async () => {
    const flow = `${p}-strict`;
    await activeWorkflow(h.db, {
      workflow_id: flow,
      input_schema: { type: 'object', required: ['orderId'] },
      steps: [{ id: 'done', type: 'succeed', output: '{% $input %}' }],
    } as never);
    const trigger = async (pattern: string) =>
      (
        await h.http
          .post('/api/v1/triggers')
          .send({
            workflowDefinitionId: flow,
            eventPattern: pattern,
            triggerType: 'START',
            inputMapping: { wrong: 'payload.id' },
          })
          .expect(201)
      ).body as { id: string };
    const placed = `${p}.order.placed`;
    const paid = `${p}.order.paid`;
    const placedTrigger = await trigger(placed);
    const paidTrigger = await trigger(paid);
    const publish = async (pattern: string, id: string) =>
      (await h.http.post('/api/v1/events').send({ pattern, payload: { id } }).expect(202)).body.eventId as string;
    const events = [await publish(placed, 'o-1'), await publish(placed, 'o-2'), await publish(paid, 'o-3')];
    const letters = await eventually(async () => {
      const rows = await h.db('event_processing_service.dead_letter_queue').whereIn('event_id', events);
      return rows.length === 3 ? rows : undefined;
    }, 60_000);
    const letterOf = (eventId: string) => letters.find((l) => l.event_id === eventId);

    const discard = await create({ action: 'discard_dead_letters', filter: { event: placed } });
    expect(discard.status).toBe(202);
    expect(await ended(discard.body.id)).toMatchObject({ status: 'completed', matched: 2, succeeded: 2 });
    const after = await h.db('event_processing_service.dead_letter_queue').whereIn('event_id', events);
    expect(Object.fromEntries(after.map((l) => [l.event_id, l.status]))).toEqual({
      [events[0]]: 'discarded',
      [events[1]]: 'discarded',
      [events[2]]: 'open',
    });

    // By trigger: the letters of the events its pattern matches.
    const byTrigger = await create({
      action: 'discard_dead_letters',
      filter: { trigger: placedTrigger.id, status: 'discarded' },
      options: { dry_run: true },
    });
    expect(byTrigger.body.filter.trigger_event_pattern).toBe(placed);
    expect(await ended(byTrigger.body.id)).toMatchObject({ status: 'completed', matched: 2 });

    // The cause is fixed; the paid event is redriven and now starts its run.
    await h.http
      .patch(`/api/v1/triggers/${paidTrigger.id}`)
      .send({ inputMapping: { orderId: 'payload.id' } })
      .expect(200);
    const redrive = await create({ action: 'redrive_dead_letters', filter: { event: paid, status: 'open' } });
    expect(await ended(redrive.body.id)).toMatchObject({ status: 'completed', matched: 1, succeeded: 1 });
    expect(
      (
        await h
          .db('event_processing_service.dead_letter_queue')
          .where({ id: letterOf(events[2]).id })
          .first()
      ).status,
    ).toBe('redriven');
    await eventually(async () =>
      h.db(WI).whereRaw(`trigger->>'eventId' = ?`, [events[2]]).where('status', 'completed').first(),
    );
  });
});

describe('requests refused', () => {
  const pointers = (res: request.Response) => (res.body.errors ?? []).map((e: { pointer: string }) => e.pointer).sort();

  it('422 with pointers for filters that are empty, mix kinds or name what Temporal does not accept', async () => {
    const cases: Array<[object, string[]]> = [
      [{ action: 'cancel', filter: {} }, ['/body/filter']],
      [{ action: 'cancel', filter: { definition: 'x', event: 'a.b' } }, ['/body/filter/event']],
      [{ action: 'discard_dead_letters', filter: { definition: 'x' } }, ['/body/filter/definition']],
      [{ action: 'discard_dead_letters', filter: { trigger: `${p}-no-such-trigger` } }, ['/body/filter/trigger']],
      [{ action: 'cancel', filter: { status: ['waiting', 'open'] } }, ['/body/filter/status/1']],
      [{ action: 'cancel', filter: { all: true, definition: 'x' } }, ['/body/filter/all']],
      [
        { action: 'cancel', filter: { created_after: '2026-01-02T00:00:00Z', created_before: '2026-01-01T00:00:00Z' } },
        ['/body/filter/created_before'],
      ],
      [{ action: 'cancel', filter: { query: 'AosDefinitionId = ' } }, ['/body/filter/query']],
      [{ action: 'cancel', filter: { query: "NoSuchAttribute = 'x'" } }, ['/body/filter/query']],
      [
        { action: 'cancel', filter: { definition: 'x' }, options: { rate_per_second: 1000 } },
        ['/body/options/rate_per_second'],
      ],
      [{ action: 'explode', filter: { definition: 'x' } }, ['/body/action']],
    ];
    for (const [body, expected] of cases) {
      const res = await create(body);
      expect({ body, status: res.status, pointers: pointers(res) }).toEqual({ body, status: 422, pointers: expected });
    }
  });

  it('403 without the per-item permission of the action; a dry run needs none', async () => {
    const flow = await waitingFlow('perm');
    for (const action of ['cancel', 'terminate', 'discard_dead_letters']) {
      const filter = action === 'discard_dead_letters' ? { event: `${p}.x` } : { definition: flow };
      const res = await create({ action, filter }, bulkOnly);
      expect({ action, status: res.status }).toEqual({ action, status: 403 });
    }
    const dry = await create({ action: 'cancel', filter: { definition: flow }, options: { dry_run: true } }, bulkOnly);
    expect(dry.status).toBe(202);
    expect(await ended(dry.body.id)).toMatchObject({ status: 'completed', dry_run: true, matched: 0, succeeded: 0 });
    const reader = await createTestCaller(h.deps, ['bulk_operations:read'], 'reader');
    await request(h.app).post(`/api/v1/bulk-operations/${dry.body.id}/cancel`).set(reader.bearer).expect(403);
  });

  it('a dry run counts the targets and acts on none', async () => {
    const flow = await waitingFlow('dry');
    const ids = await waitingRuns(flow, [undefined, undefined]);
    const dry = await create({ action: 'cancel', filter: { definition: flow }, options: { dry_run: true } });
    expect(await ended(dry.body.id)).toMatchObject({ status: 'completed', matched: 2, succeeded: 0, pending: 2 });
    expect(Object.values(await statusOf(ids))).toEqual(['waiting', 'waiting']);
  });

  it('pauses, resumes and redrives runs in bulk through the single-run services', async () => {
    const admin = await createTestCaller(h.deps, ['*'], 'admin');
    const flow = await waitingFlow('pause-redrive');
    const ids = await waitingRuns(flow, [undefined, undefined]);
    const pause = await create({ action: 'pause', filter: { definition: flow } }, admin);
    expect(await ended(pause.body.id)).toMatchObject({ status: 'completed', matched: 2, succeeded: 2 });
    expect(Object.values(await statusOf(ids))).toEqual(['paused', 'paused']);
    const resume = await create({ action: 'resume', filter: { definition: flow, status: 'paused' } }, admin);
    expect(await ended(resume.body.id)).toMatchObject({ status: 'completed', matched: 2, succeeded: 2 });
    await eventually(async () => Object.values(await statusOf(ids)).every((s) => s === 'waiting'));
    const stop = await create({ action: 'terminate', filter: { definition: flow } }, admin);
    expect(await ended(stop.body.id)).toMatchObject({ succeeded: 2 });
    const redrive = await create({ action: 'redrive', filter: { definition: flow, status: 'terminated' } }, admin);
    expect(await ended(redrive.body.id)).toMatchObject({ status: 'completed', matched: 2, succeeded: 2 });
    const redriven = await h.db(WI).whereIn('origin_instance_id', ids).select('origin_kind');
    expect(redriven.map((r: { origin_kind: string }) => r.origin_kind)).toEqual(['redrive', 'redrive']);
    // Each item's control action names the operation that did it.
    const history = await h
      .db('workflow_orchestrator_service.workflow_control_actions')
      .whereIn('workflow_instance_id', ids)
      .whereNotNull('bulk_operation_id')
      .select('action');
    expect(history.map((r: { action: string }) => r.action).sort()).toEqual([
      'pause',
      'pause',
      'redrive',
      'redrive',
      'resume',
      'resume',
      'terminate',
      'terminate',
    ]);
  });
});
