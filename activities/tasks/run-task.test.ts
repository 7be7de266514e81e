/** runTask without servers: a database outage during mirror writes must not change the task's outcome. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import knex from 'knex';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createTaskActivities } from '.';
import type { RunTaskRequest } from '../../common/contracts/tasks';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(c, _e, cb) {
      for (const l of String(c).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

// Nothing listens on port 1: every mirror write fails with ECONNREFUSED, like a database outage.
const deadDb = knex({
  client: 'pg',
  connection: 'postgres://postgres@127.0.0.1:1/none',
  pool: { min: 0, max: 1 },
  acquireConnectionTimeout: 500,
});
afterAll(() => deadDb.destroy());

const req = (type: string, config: Record<string, unknown>, input: unknown): RunTaskRequest => ({
  task: { task_id: 't', version: '1.0.0', type: type as never, config },
  input,
  ctx: {
    instanceId: '00000000-0000-4000-8000-000000000000',
    workflowId: 'w',
    runId: 'r',
    definitionId: 'd',
    definitionVersion: '1.0.0',
    stepId: 's',
    stepPath: 's',
  },
});

describe('runTask during a database outage', () => {
  it('still returns the task output, after retrying the mirror write and logging the loss', async () => {
    const { logger, lines } = capture();
    // Running write at once (no deferral), so both of the attempt's writes meet the outage.
    const { runTask } = createTaskActivities({ db: deadDb, logger, mirrorBackoffMs: [5, 5], runningWriteDelayMs: 0 });
    const out = await new MockActivityEnvironment().run(
      runTask,
      req('transform', { expression: '$input.a + 1' }, { a: 1 }),
    );
    expect(out).toBe(2);
    // 2 retries x (start + end). Only the writes' own retries: the background flush of the dropped-writes record
    // logs a "retrying" line too once its first wait (1 s) passes, which a slow run reaches.
    expect(lines.filter((l) => String(l.msg).includes('mirror write failed, retrying')).length).toBe(4);
    expect(lines.filter((l) => String(l.msg).includes('mirror write dropped')).length).toBe(2);
  });

  it("still fails with the task's own failure type", async () => {
    const { runTask } = createTaskActivities({ db: deadDb, logger: pino({ level: 'silent' }), mirrorBackoffMs: [] });
    const err = await new MockActivityEnvironment().run(runTask, req('code', { handler: 'nope' }, {})).catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'UnknownHandler', nonRetryable: true });
  });
});

describe('runTask of a run with mirroring off', () => {
  it('writes no task_instances rows: no mirror write is even attempted', async () => {
    const { logger, lines } = capture();
    const { runTask } = createTaskActivities({ db: deadDb, logger, mirrorBackoffMs: [5] });
    const off = req('transform', { expression: '$input.a + 1' }, { a: 1 });
    const out = await new MockActivityEnvironment().run(runTask, {
      ...off,
      ctx: { ...off.ctx, mirror: false as const },
    });
    expect(out).toBe(2);
    expect(lines.filter((l) => String(l.msg).includes('mirror'))).toEqual([]);
  });
});

describe('the deferred running write', () => {
  const writes = (lines: Record<string, unknown>[]) =>
    lines.filter((l) => String(l.msg).includes('mirror write dropped')).map((l) => String(l.msg).split(':')[0]);

  it('when an attempt ends within the delay, then only its end is written', async () => {
    const { logger, lines } = capture();
    const { runTask } = createTaskActivities({ db: deadDb, logger, mirrorBackoffMs: [] });
    // echo, not transform: a transform's first evaluation may wait for its worker thread to boot.
    await new MockActivityEnvironment().run(runTask, req('echo', {}, { a: 1 }));
    await new Promise((r) => setTimeout(r, 300)); // past the delay: the cancelled running write stays cancelled
    expect(writes(lines)).toEqual(['task completed']);
  });

  it('when an attempt outlasts the delay, then it is written running first, then ended', async () => {
    const { logger, lines } = capture();
    const { runTask } = createTaskActivities({ db: deadDb, logger, mirrorBackoffMs: [], runningWriteDelayMs: 20 });
    await new MockActivityEnvironment().run(runTask, req('code', { handler: 'sleep' }, { ms: 300 }));
    expect(writes(lines)).toEqual(['task started', 'task completed']);
  });
});
