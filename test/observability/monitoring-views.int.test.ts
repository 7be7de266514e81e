/**
 * The monitoring views as endpoints: with runs of one definition finished (two completed with known durations,
 * one failed, one cancelled) and two still running or waiting, /observability/execution-performance and
 * /observability/active-executions answer the counts and durations by status and definition that the views of
 * migration 008 compute; task-performance does the same per task; storage-usage lists the platform's tables
 * with their sizes. Rows are seeded directly (as the mirror writes them) so the durations are exact.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import request from 'supertest';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { uniqueTaskQueue } from '../helpers/temporal';

const WF = 'workflow_orchestrator_service';

let api: TestApi;
let reader: TestCaller;
const workflowId = `mon-${randomUUID().slice(0, 8)}`;
const taskId = `mon-task-${randomUUID().slice(0, 8)}`;

async function seed(db: Knex): Promise<void> {
  const [def] = await db(`${WF}.workflow_definitions`)
    .insert({
      workflow_id: workflowId,
      version: '1.0.0',
      name: workflowId,
      definition: '{"steps":[]}',
      status: 'active',
    })
    .returning('id');
  const t0 = Date.parse('2026-01-01T10:00:00Z');
  const at = (ms: number) => new Date(t0 + ms);
  const runs: Array<{ status: string; duration?: number }> = [
    { status: 'completed', duration: 1000 },
    { status: 'completed', duration: 3000 },
    { status: 'failed', duration: 500 },
    { status: 'cancelled', duration: 200 },
    { status: 'running' },
    { status: 'waiting' },
  ];
  for (const [i, r] of runs.entries()) {
    const id = randomUUID();
    await db(`${WF}.workflow_instances`).insert({
      id,
      temporal_workflow_id: `${workflowId}:${id}`,
      workflow_definition_id: def.id,
      definition_workflow_id: workflowId,
      definition_version: '1.0.0',
      status: r.status,
      started_at: at(i * 10_000),
      completed_at: r.duration === undefined ? null : at(i * 10_000 + r.duration),
    });
    if (r.duration === undefined) continue;
    await db('task_execution_service.task_instances').insert({
      workflow_instance_id: id,
      task_id: taskId,
      step_id: 'call',
      step_type: 'task',
      execution_key: 'call',
      status: r.status === 'completed' ? 'completed' : r.status === 'failed' ? 'failed' : 'cancelled',
      attempt: r.status === 'failed' ? 3 : 1,
      duration_ms: r.duration,
    });
  }
}

beforeAll(async () => {
  api = await createTestApi({ config: { TASK_QUEUE: uniqueTaskQueue('monviews') } });
  reader = await createTestCaller(api.deps, ['observability:read'], 'monitor');
  await seed(api.deps.db);
});
afterAll(async () => api?.close());

const get = (url: string) => request(api.app).get(`/api/v1${url}`).set(reader.bearer);

it('answers execution performance by definition: counts by outcome, durations of completed runs', async () => {
  const res = await get(`/observability/execution-performance?workflow_id=${workflowId}`);
  expect(res.status).toBe(200);
  expect(res.body.data).toEqual([
    expect.objectContaining({
      definition_workflow_id: workflowId,
      definition_version: '1.0.0',
      total_executions: 4,
      completed: 2,
      failed: 1,
      cancelled: 1,
      avg_duration_ms: 2000,
      p50_duration_ms: 2000,
      p95_duration_ms: 2900,
    }),
  ]);
});

it('answers active executions by status, filterable by status', async () => {
  const res = await get(`/observability/active-executions?workflow_id=${workflowId}`);
  expect(res.status).toBe(200);
  expect(res.body.data.map((r: Record<string, unknown>) => [r.status, r.executions])).toEqual([
    ['running', 1],
    ['waiting', 1],
  ]);
  expect(res.body.data[0].oldest_started_at).toBe('2026-01-01T10:00:40.000Z');
  const waiting = await get(`/observability/active-executions?workflow_id=${workflowId}&status=waiting`);
  expect(waiting.body.data).toHaveLength(1);
  expect(waiting.body.data[0]).toMatchObject({ status: 'waiting', executions: 1 });
});

it('answers task performance per task', async () => {
  const res = await get(`/observability/task-performance?task_id=${taskId}`);
  expect(res.status).toBe(200);
  expect(res.body.data).toEqual([
    expect.objectContaining({
      task_id: taskId,
      step_type: 'task',
      total_executions: 4,
      completed: 2,
      failed: 1,
      avg_duration_ms: 2000,
      p95_duration_ms: 2900,
      avg_attempts: 1.5,
    }),
  ]);
});

it("lists the platform's tables with their sizes; partitions roll up into their parent", async () => {
  const res = await get('/observability/storage-usage?limit=1000');
  expect(res.status).toBe(200);
  const names = res.body.data.map((r: Record<string, unknown>) => `${r.schema_name}.${r.table_name}`);
  expect(names).toEqual(expect.arrayContaining([`${WF}.workflow_instances`, 'task_execution_service.task_instances']));
  expect(names.some((n: string) => /task_instances_/.test(n))).toBe(false);
  const tasks = res.body.data.find((r: Record<string, unknown>) => r.table_name === 'task_instances');
  expect(tasks.total_bytes).toBeGreaterThan(0);
  expect(typeof tasks.total_size).toBe('string');
  const one = await get(`/observability/storage-usage?schema=${WF}`);
  expect(new Set(one.body.data.map((r: Record<string, unknown>) => r.schema_name))).toEqual(new Set([WF]));
});

it('refuses unknown filters and needs observability:read', async () => {
  expect((await get('/observability/active-executions?bogus=1')).status).toBe(400);
  const outsider = await createTestCaller(api.deps, ['workflow_instances:read'], 'nomon');
  const res = await request(api.app).get('/api/v1/observability/storage-usage').set(outsider.bearer);
  expect(res.status).toBe(403);
});
