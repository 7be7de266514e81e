/** The validation pool answers, and a validation that overruns its time is stopped and reported, not waited for. */
import { ValidationPool, ValidationThreadError } from './pool';

const flow = { workflow_id: 'w', name: 'w', version: '1.0.0', steps: [{ id: 'done', type: 'succeed' }] };

it('When a check answers in time, then its errors come back from the thread', async () => {
  const pool = new ValidationPool({ threads: 1, timeoutMs: 30_000, heapMb: 128 });
  await pool.warm();
  const reply = await pool.run({
    kind: 'workflow-definition',
    doc: { ...flow, vars: { a: '{% 1 + %}' } },
    knownTasks: [],
  });
  expect(reply).toEqual({
    ok: true,
    errors: [expect.objectContaining({ pointer: '/vars/a', code: 'invalid_expression' })],
  });
});

it('When a check overruns its time, then its thread is stopped and a fresh one serves the next job', async () => {
  const pool = new ValidationPool({ threads: 1, timeoutMs: 50, heapMb: 128 });
  await pool.warm();
  const vars = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`v${i}`, `{% $sum([${i}, 1, 2, 3]) %}`]));
  await expect(pool.run({ kind: 'workflow-definition', doc: { ...flow, vars }, knownTasks: [] })).rejects.toEqual(
    new ValidationThreadError('timeout', 'validation took longer than 50 ms; make the document smaller or simpler'),
  );
  // The replacement thread boots before it answers (boot time is not counted against a job).
  await expect(pool.run({ kind: 'task-definition', doc: null })).resolves.toEqual({
    ok: true,
    errors: expect.any(Array),
  });
});
