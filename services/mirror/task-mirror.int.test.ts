/** The task mirror's group commit against PostgreSQL: concurrent attempts share statements, a bad row fails alone. */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createTestDb } from '../../test/helpers/db';
import { captureLogger } from '../../test/helpers/api';
import { workflowDefinitions } from '../../db/repositories/workflow-definitions';
import { insertWorkflowInstance } from '../../db/repositories/workflow-instances';
import { listTaskInstancesOfWorkflow } from '../../db/repositories/task-instances';
import { DroppedTaskWrites } from './dropped-writes';
import { createTaskMirror, type TaskAttempt } from './task-mirror';

let db: Knex;
beforeAll(() => {
  db = createTestDb();
});
afterAll(async () => {
  await db.destroy();
});

async function instance(): Promise<string> {
  const def = await workflowDefinitions.insert(db, {
    workflow_id: `mirror-${randomUUID().slice(0, 8)}`,
    version: '1.0.0',
    name: 'mirror',
    definition: { steps: [] },
  });
  const { row } = await insertWorkflowInstance(db, {
    temporal_workflow_id: `wf-${randomUUID()}`,
    workflow_definition_id: def.id,
    definition_workflow_id: def.workflow_id,
    definition_version: '1.0.0',
  });
  return row.id;
}

const attempt = (instanceId: string, i: number): TaskAttempt => ({
  task: { task_id: 'noop-unregistered', version: '1.0.0', type: 'noop', config: {} },
  ctx: {
    instanceId,
    workflowId: 'wf',
    runId: 'run-1',
    definitionId: 'd',
    definitionVersion: '1.0.0',
    stepId: `t${i}`,
    stepPath: `fan.b${i}.t${i}`,
  },
  input: { i },
  attempt: 1,
  activityId: String(i),
  scheduledAt: new Date(),
  startedAt: new Date(),
});

describe('task mirror group commit', () => {
  it('writes every attempt that ends concurrently, the newest write of each winning', async () => {
    const id = await instance();
    const mirror = createTaskMirror(db, captureLogger().logger, { runningWriteDelayMs: 0 });
    const attempts = Array.from({ length: 20 }, (_, i) => attempt(id, i));
    attempts.forEach((a) => mirror.started(a)); // "running" writes, not awaited, queued with the ends below
    await Promise.all(
      attempts.map((a, i) => mirror.finished(a, { status: 'completed', output: i * 10, endedAt: new Date() })),
    );
    const rows = await listTaskInstancesOfWorkflow(db, id);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === 'completed' && r.output === Number(r.step_id.slice(1)) * 10)).toBe(true);
  });

  it('writes the good rows of a batch the database refuses, and drops only the bad one', async () => {
    const id = await instance();
    const drops = new DroppedTaskWrites();
    const { logger, lines } = captureLogger('debug');
    const mirror = createTaskMirror(db, logger, { drops, backoff: [] });
    const end = { status: 'completed' as const, output: null, endedAt: new Date() };
    // The first write goes alone; the next three queue behind it and form one batch, which holds a row whose
    // workflow instance does not exist (a foreign key violation: permanent, so no retry).
    await mirror.finished(attempt(id, 4), end); // warms the task definition id cache: the writes below queue in order
    const first = mirror.finished(attempt(id, 0), end);
    const batch = [attempt(id, 1), attempt(randomUUID(), 2), attempt(id, 3)].map((a) => mirror.finished(a, end));
    await Promise.all([first, ...batch]);
    expect((await listTaskInstancesOfWorkflow(db, id)).map((r) => r.step_id).sort()).toEqual(['t0', 't1', 't3', 't4']);
    expect(lines.filter((l) => l.includes('task mirror write dropped'))).toHaveLength(1);
    expect(drops.list(10)).toEqual([]); // a refused row is not an outage: nothing for the reconciler to rebuild
  });
});
