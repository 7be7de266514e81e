/**
 * Validating a hostile definition never blocks the API's event loop: while such a body is checked (by a
 * caller with only read permission, on the dry-run routes), health checks keep answering fast, and the answer
 * lists a bounded number of errors. Before the bounds, 10,000 non-object steps (40 KB) blocked the loop for
 * 5.7 s and answered megabytes of errors; embedded JSON Schemas with thousands of bad subschemas did the same.
 */
import { MAX_DEFINITION_STEPS, MAX_VALIDATION_ERRORS } from '../../common/definitions/validation-bounds';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { sendAlongsideHealthChecks as probe } from '../helpers/event-loop-probe';
import { startProbedApi, type ProbedApi } from '../helpers/probed-api';

let served: ProbedApi;
let viewer: TestCaller;

beforeAll(async () => {
  served = await startProbedApi();
  viewer = await createTestCaller(served.api.deps, ['workflow_definitions:read', 'task_definitions:read'], 'viewer');
});
afterAll(() => served?.close());

const flow = { workflow_id: 'hostile', name: 'hostile', version: '1.0.0' };
const junk = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`junk${i}`, i]));

/** Sends `body` as the viewer, alongside health checks (test/helpers/event-loop-probe.ts). */
const sendAlongsideHealthChecks = (path: string, body: unknown) =>
  probe(served.base, `/api/v1${path}`, body, viewer.bearer);

// Generous (a shared 2-core machine runs these tests): the unbounded validation took seconds on each body.
const budgetMs = (kb: number) => 300 + 2 * kb;

describe('validating hostile definitions', () => {
  it.each([
    [
      '4,000 non-object steps',
      '/workflow-definitions/validate',
      { ...flow, steps: Array.from({ length: 4000 }, (_, i) => i) },
    ],
    [
      'as many steps as allowed, each with 60 unknown fields',
      '/workflow-definitions/validate',
      {
        ...flow,
        steps: Array.from({ length: MAX_DEFINITION_STEPS }, (_, i) => ({ id: `s${i}`, type: 'set', ...junk(60) })),
      },
    ],
    [
      'as many steps as allowed, each with every field wrong',
      '/workflow-definitions/validate',
      {
        ...flow,
        steps: Array.from({ length: MAX_DEFINITION_STEPS }, () => ({
          id: 1,
          type: 'task',
          next: 1,
          timeout: 'x',
          retry: 1,
          catch: [1, 2, 3],
          task: 1,
        })),
      },
    ],
    [
      'steps nested in foreach blocks, each wrong',
      '/workflow-definitions/validate',
      {
        ...flow,
        steps: Array.from({ length: 20 }, (_, i) => ({
          id: `f${i}`,
          type: 'foreach',
          items: [],
          steps: Array.from({ length: 40 }, () => ({ id: 1, type: 'set', x: 1 })),
        })),
      },
    ],
    [
      'an input schema with 4,000 bad subschemas',
      '/task-definitions/validate',
      {
        task_id: 'hostile',
        version: '1.0.0',
        type: 'echo',
        config: {},
        input_schema: {
          type: 'object',
          properties: Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`p${i}`, 1])),
        },
      },
    ],
  ])('%s: health checks stay fast and at most 100 errors are listed', async (_what, path, body) => {
    const r = await sendAlongsideHealthChecks(path, body);
    const parsed = JSON.parse(r.answer) as { valid: boolean; errors: unknown[] };
    expect({ status: r.status, valid: parsed.valid, fewErrors: parsed.errors.length <= MAX_VALIDATION_ERRORS }).toEqual(
      { status: 200, valid: false, fewErrors: true },
    );
    expect(r.answer.length).toBeLessThan(64 * 1024);
    expect(r.stallMs).toBeLessThan(budgetMs(r.kb));
    // A probe's latency also counts connecting and the machine's other load: a looser bound than the loop's stall.
    expect(r.slowestProbeMs).toBeLessThan(2000);
  });

  it(`refuses more than ${MAX_DEFINITION_STEPS} steps (nested ones counted) with one error, without checking them`, async () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({
      id: `f${i}`,
      type: 'foreach',
      items: [],
      steps: Array.from({ length: 100 }, (_, j) => ({ id: `s${i}_${j}`, type: 'succeed' })),
    }));
    const r = await sendAlongsideHealthChecks('/workflow-definitions/validate', { ...flow, steps });
    expect(JSON.parse(r.answer)).toEqual({
      valid: false,
      errors: [expect.objectContaining({ pointer: '/steps', code: 'too_many_steps' })],
    });
  });
});
