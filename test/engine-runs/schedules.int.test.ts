/**
 * Schedules over Temporal Schedules (#15 item 4), against the real Temporal dev server and PostgreSQL: every action
 * starts its run through the start service (trigger.kind "schedule"), the overlap policy holds for the real runs,
 * backfill starts the missed runs, trigger now, pause/unpause, the input template, refusals with pointers, delete.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { WORKFLOW_CONTROL_ACTIONS } from '../../db/repositories/control-actions';
import { WORKFLOW_INSTANCES } from '../../db/repositories/workflow-instances';
import { WORKFLOW_SCHEDULES } from '../../db/repositories/workflow-schedules';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(60_000);

let h: RunHarness;
let api: TestApi;
let op: TestCaller;
const tag = Math.random().toString(36).slice(2, 8);
const SLOW = `sched-slow-${tag}`; // a run of ~4 s
const QUICK = `sched-quick-${tag}`; // a run that ends at once, echoing its input
const FAILING = `sched-failing-${tag}`; // a run that fails at once
const created: string[] = [];

interface RunRow {
  id: string;
  status: string;
  input: Record<string, unknown>;
  trigger: { kind: string; scheduleId?: string; scheduledTime?: string };
  started_at: Date | null;
  completed_at: Date | null;
}

beforeAll(async () => {
  h = await startRunHarness();
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue } });
  op = await createTestCaller(api.deps, ['schedules:read', 'schedules:write', 'schedules:trigger'], 'scheduler');
  await activeWorkflow(h.db, {
    workflow_id: SLOW,
    steps: [{ id: 'work', type: 'delay', duration: '4s' }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: QUICK,
    input_schema: { type: 'object', properties: { n: { type: 'integer' } } },
    steps: [{ id: 'done', type: 'succeed', output: '{% $input %}' }],
  } as never);
  await activeWorkflow(h.db, { workflow_id: FAILING, steps: [{ id: 'boom', type: 'fail' }] } as never);
});

afterAll(async () => {
  // Schedules outlive the test otherwise (the dev server is shared): take them all back.
  for (const id of created) await request(api.app).delete(`/api/v1/schedules/${id}`).set(op.bearer);
  await api?.close();
  await h?.close();
});

const post = (path: string, body: object) => request(api.app).post(`/api/v1${path}`).set(op.bearer).send(body);
const get = (path: string) => request(api.app).get(`/api/v1${path}`).set(op.bearer);

async function createSchedule(body: Record<string, unknown>) {
  const scheduleId = `s-${tag}-${created.length}`;
  const res = await post('/schedules', { schedule_id: scheduleId, ...body });
  expect(res.status).toBe(201);
  created.push(scheduleId);
  return { scheduleId, body: res.body as { id: string; temporal_schedule_id: string } };
}

const runsOf = async (scheduleId: string): Promise<RunRow[]> =>
  (await h
    .db(WORKFLOW_INSTANCES)
    .whereRaw(`"trigger"->>'scheduleId' = ?`, [scheduleId])
    .orderBy('started_at')) as RunRow[];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pairs of runs of which the later started before the earlier ended. */
function overlaps(runs: RunRow[]): number {
  let n = 0;
  for (let i = 1; i < runs.length; i++) {
    const end = runs[i - 1].completed_at ?? new Date(8.64e15);
    if ((runs[i].started_at as Date).getTime() < end.getTime()) n++;
  }
  return n;
}

describe('overlap policies, with runs (4 s) longer than the interval (2 s)', () => {
  // The three schedules run side by side: the whole block takes the time of one.
  let skip: string, allowAll: string, bufferOne: string, cancelOther: string, failing: string;
  beforeAll(async () => {
    const spec = { intervals: [{ every: '2s' }] };
    const slow = async (overlap: string) =>
      (await createSchedule({ workflow_id: SLOW, spec, policies: { overlap } })).scheduleId;
    [skip, allowAll, bufferOne, cancelOther] = [
      await slow('skip'),
      await slow('allow_all'),
      await slow('buffer_one'),
      await slow('cancel_other'),
    ];
    failing = (
      await createSchedule({ workflow_id: FAILING, spec, policies: { overlap: 'skip', pause_on_failure: true } })
    ).scheduleId;
    await sleep(12_000);
    for (const id of [skip, allowAll, bufferOne, cancelOther])
      await post(`/schedules/${id}/pause`, { note: 'test over' });
  });

  it('skip: runs never overlap, and Temporal skipped the actions due meanwhile', async () => {
    const runs = await eventually(async () => {
      const rows = await runsOf(skip);
      return rows.every((r) => r.completed_at) && rows;
    });
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(overlaps(runs)).toBe(0);
    for (const r of runs) expect(r.trigger).toMatchObject({ kind: 'schedule', scheduleId: skip });
    const info = (await get(`/schedules/${skip}`)).body.info;
    expect(info.actions_skipped_overlap).toBeGreaterThan(0);
    // Every recent action names the run it started.
    const ids = new Set(runs.map((r) => r.id));
    expect(info.recent_actions.length).toBe(runs.length);
    for (const a of info.recent_actions) expect(ids.has(a.instance_id)).toBe(true);
  });

  it('allow_all: runs overlap', async () => {
    const runs = await runsOf(allowAll);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(overlaps(runs)).toBeGreaterThan(0);
  });

  it('buffer_one: runs never overlap, each buffered one starts when the previous ends, the rest are skipped', async () => {
    const runs = await eventually(async () => {
      const rows = await runsOf(bufferOne);
      return rows.every((r) => r.completed_at) && rows;
    }, 20_000);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(overlaps(runs)).toBe(0);
    // The buffered action starts once the action watching the previous run saw it closed and Temporal saw the
    // action end: well under a run's length (about 1 s; a loaded machine adds to it).
    const gap = (runs[1].started_at as Date).getTime() - (runs[0].completed_at as Date).getTime();
    expect(gap).toBeLessThan(3_000);
    expect((await get(`/schedules/${bufferOne}`)).body.info.actions_skipped_overlap).toBeGreaterThan(0);
  });

  it('cancel_other: each action cancels the previous run, then starts its own once that one closed', async () => {
    const runs = await eventually(async () => {
      const rows = await runsOf(cancelOther);
      return rows.every((r) => r.completed_at) && rows;
    }, 20_000);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(overlaps(runs)).toBe(0);
    expect(runs.slice(0, -1).every((r) => r.status === 'cancelled')).toBe(true);
    const cancels = await h.db(WORKFLOW_CONTROL_ACTIONS).where({ workflow_instance_id: runs[0].id, action: 'cancel' });
    expect(cancels).toMatchObject([{ principal: 'system:schedule' }]);
  });

  it('pause_on_failure: the first failed run pauses the schedule, and the row follows Temporal', async () => {
    const runs = await runsOf(failing);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs[0].status).toBe('failed');
    const res = await get(`/schedules/${failing}`);
    expect(res.body.info.paused).toBe(true);
    expect(res.body.status).toBe('paused');
    // Paused after the first failure: the runs started before it closed are all there are.
    await sleep(2_500);
    expect((await runsOf(failing)).length).toBe(runs.length);
  });
});

describe('backfill, trigger now, input template, pause', () => {
  let scheduleId: string;
  beforeAll(async () => {
    ({ scheduleId } = await createSchedule({
      workflow_id: QUICK,
      spec: { intervals: [{ every: '10m' }] },
      input: { at: '{% $scheduledTime %}', schedule: '{% $schedule %}', n: 1 },
      policies: { overlap: 'allow_all' },
    }));
  });

  it('backfill of a past range starts one run per missed due time, each with its due time', async () => {
    const slot = 600_000;
    const end = Math.floor(Date.now() / slot) * slot - slot / 2; // half a slot before the last due time
    const start = end - 3 * slot;
    const res = await post(`/schedules/${scheduleId}/backfill`, {
      start_at: new Date(start).toISOString(),
      end_at: new Date(end).toISOString(),
    });
    expect(res.status).toBe(202);
    const inRange = (r: RunRow) => {
      const t = Date.parse(r.trigger.scheduledTime as string);
      return t >= start && t <= end;
    };
    const runs = await eventually(async () => {
      const rows = (await runsOf(scheduleId)).filter(inRange);
      return rows.length === 3 && rows.every((r) => r.status === 'completed') && rows;
    });
    for (const r of runs) {
      expect(Date.parse(r.trigger.scheduledTime as string) % slot).toBe(0);
      expect(r.input).toEqual({ at: r.trigger.scheduledTime, schedule: scheduleId, n: 1 });
    }
    const control = await h.db(WORKFLOW_CONTROL_ACTIONS).where({ workflow_instance_id: runs[0].id });
    expect(control).toMatchObject([
      {
        action: 'start',
        principal: 'system:schedule',
        details: { schedule_id: scheduleId, scheduled_time: runs[0].trigger.scheduledTime },
      },
    ]);
  });

  it('trigger now starts a run at once, its input rendered with the time it was due', async () => {
    const before = Date.now();
    expect((await post(`/schedules/${scheduleId}/trigger`, {})).status).toBe(202);
    const run = await eventually(async () =>
      (await runsOf(scheduleId)).find((r) => Date.parse(r.trigger.scheduledTime as string) >= before - 1_000),
    );
    expect(run.input).toEqual({ at: run.trigger.scheduledTime, schedule: scheduleId, n: 1 });
    const info = (await get(`/schedules/${scheduleId}`)).body.info;
    expect(info.recent_actions.map((a: { instance_id: string }) => a.instance_id)).toContain(run.id);
    expect(info.next_action_times.length).toBeGreaterThan(0);
  });

  it('pause and unpause, with a note; the row and Temporal agree', async () => {
    const paused = await post(`/schedules/${scheduleId}/pause`, { note: 'maintenance' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', note: 'maintenance' });
    expect((await get(`/schedules/${scheduleId}`)).body.info).toMatchObject({ paused: true, note: 'maintenance' });
    const resumed = await post(`/schedules/${scheduleId}/unpause`, { note: 'back' });
    expect(resumed.body).toMatchObject({ status: 'active', note: 'back' });
    expect((await get(`/schedules/${scheduleId}`)).body.info).toMatchObject({ paused: false, note: 'back' });
  });
});

it('a schedule created paused takes no action until unpaused', async () => {
  const { scheduleId } = await createSchedule({
    workflow_id: QUICK,
    spec: { intervals: [{ every: '1s' }] },
    paused: true,
  });
  await sleep(2_500);
  expect(await runsOf(scheduleId)).toHaveLength(0);
  await post(`/schedules/${scheduleId}/unpause`, {});
  await eventually(async () => (await runsOf(scheduleId)).length > 0, 5_000);
  await post(`/schedules/${scheduleId}/pause`, {});
});

describe('refusals', () => {
  const refused = async (body: Record<string, unknown>) => {
    const res = await post('/schedules', { schedule_id: `bad-${tag}`, workflow_id: QUICK, ...body });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    return (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
  };

  it('bad cron expressions, time zone, durations, an empty spec: 422 with pointers', async () => {
    expect(await refused({ spec: { cron: ['0 9 * * *', '61 * * * *'], time_zone: 'Mars/Olympus' } })).toEqual([
      '/body/spec/cron/1',
      '/body/spec/time_zone',
    ]);
    expect(await refused({ spec: { cron: '* * *' } })).toEqual(['/body/spec/cron']);
    expect(await refused({ spec: { intervals: [{ every: '500ms' }] } })).toEqual(['/body/spec/intervals/0/every']);
    expect(await refused({ spec: {} })).toEqual(['/body/spec']);
    expect(await refused({ spec: { intervals: [{ every: 'often' }] } })).toEqual(['/body/spec/intervals/0/every']);
  });

  it('an unknown definition or version, input against the input_schema, a bad expression: 422 with pointers', async () => {
    const spec = { cron: '@daily' };
    expect(await refused({ spec, workflow_id: `nope-${tag}` })).toEqual(['/body/workflow_id']);
    expect(await refused({ spec, workflow_version: '9.9.9' })).toEqual(['/body/workflow_version']);
    expect(await refused({ spec, input: { n: 'one' } })).toEqual(['/body/input/n']);
    expect(await refused({ spec, input: { n: '{% $scheduledTime( %}' } })).toEqual(['/body/input/n']);
    expect(await h.db(WORKFLOW_SCHEDULES).where({ schedule_id: `bad-${tag}` })).toHaveLength(0);
  });

  it('a taken schedule_id: 409, and the first schedule is untouched', async () => {
    const { scheduleId } = await createSchedule({ workflow_id: QUICK, spec: { cron: '@daily' }, paused: true });
    const res = await post('/schedules', { schedule_id: scheduleId, workflow_id: QUICK, spec: { cron: '@hourly' } });
    expect(res.status).toBe(409);
    expect((await get(`/schedules/${scheduleId}`)).body.spec).toEqual({ cron: '@daily' });
  });
});

describe('update, list, delete', () => {
  it('PATCH changes the Temporal schedule too; a stale If-Match is 412', async () => {
    const { scheduleId } = await createSchedule({ workflow_id: QUICK, spec: { cron: '@daily' }, paused: true });
    const read = await get(`/schedules/${scheduleId}`);
    const patch = (body: object, etag: string) =>
      request(api.app).patch(`/api/v1/schedules/${scheduleId}`).set(op.bearer).set('If-Match', etag).send(body);
    const res = await patch({ spec: { cron: '0 12 * * *', time_zone: 'Europe/Paris' } }, read.headers.etag);
    expect(res.status).toBe(200);
    const d = await h.client.schedule.getHandle(res.body.temporal_schedule_id).describe();
    expect(d.spec).toMatchObject({ timezone: 'Europe/Paris' });
    expect(d.state.paused).toBe(true);
    expect((await patch({ description: 'late' }, read.headers.etag)).status).toBe(412);
  });

  it('lists by definition with keyset paging', async () => {
    const first = await get(`/schedules?workflow_id=${QUICK}&limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    const next = await get(`/schedules?workflow_id=${QUICK}&limit=1&cursor=${first.body.next_cursor}`);
    expect(next.body.items[0].id).not.toBe(first.body.items[0].id);
    for (const s of [...first.body.items, ...next.body.items]) expect(s.workflow_id).toBe(QUICK);
  });

  it('DELETE removes the row and the Temporal schedule', async () => {
    const { scheduleId, body } = await createSchedule({ workflow_id: QUICK, spec: { cron: '@daily' } });
    expect((await request(api.app).delete(`/api/v1/schedules/${scheduleId}`).set(op.bearer)).status).toBe(204);
    await expect(h.client.schedule.getHandle(body.temporal_schedule_id).describe()).rejects.toBeInstanceOf(
      ScheduleNotFoundError,
    );
    expect((await get(`/schedules/${scheduleId}`)).status).toBe(404);
  });

  it("a schedule deleted in Temporal behind the platform's back: GET answers info null, DELETE removes the row", async () => {
    const { scheduleId, body } = await createSchedule({ workflow_id: QUICK, spec: { cron: '@daily' } });
    await h.client.schedule.getHandle(body.temporal_schedule_id).delete();
    const res = await get(`/schedules/${scheduleId}`);
    expect(res.status).toBe(200);
    expect(res.body.info).toBeNull();
    expect((await request(api.app).delete(`/api/v1/schedules/${scheduleId}`).set(op.bearer)).status).toBe(204);
    expect(await h.db(WORKFLOW_SCHEDULES).where({ schedule_id: scheduleId })).toHaveLength(0);
  });
});
