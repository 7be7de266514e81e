import type { WorkflowDefinition } from '../../common/definitions/types';
import { runLimitOf } from './flow-control';

const def = (concurrency?: WorkflowDefinition['concurrency']): WorkflowDefinition => ({
  workflow_id: 'wf',
  name: 'WF',
  version: '1.0.0',
  steps: [{ id: 'a', type: 'delay', duration: '1s' }],
  ...(concurrency && { concurrency }),
});

describe('runLimitOf', () => {
  it('is undefined for a definition without a limit', async () => {
    await expect(runLimitOf(def(), {}, '/input')).resolves.toBeUndefined();
  });

  it("gives a limit without key the key '' and the default policy queue", async () => {
    await expect(runLimitOf(def({ limit: 2 }), {}, '/input')).resolves.toEqual({
      definitionWorkflowId: 'wf',
      concurrencyKey: '',
      limit: 2,
      whenFull: 'queue',
    });
  });

  it('evaluates the key over the input ($input or $), as text', async () => {
    const limit = (key: string, input: unknown) => runLimitOf(def({ limit: 1, key }), input, '/input');
    await expect(limit('{% $input.customer %}', { customer: 'c-1' })).resolves.toMatchObject({ concurrencyKey: 'c-1' });
    await expect(limit('{% region & "/" & $string(n) %}', { region: 'eu', n: 7 })).resolves.toMatchObject({
      concurrencyKey: 'eu/7',
    });
    await expect(limit('{% $input.vip %}', { vip: true })).resolves.toMatchObject({ concurrencyKey: 'true' });
  });

  it('answers 422 at the pointer for a key that gives nothing, an object, or too long a text, or fails', async () => {
    const limit = (key: string, input: unknown) => runLimitOf(def({ limit: 1, key }), input, '/body/input');
    for (const [key, input] of [
      ['{% $input.customer %}', {}],
      ['{% $input.customer %}', { customer: { id: 1 } }],
      ['{% $input.customer %}', { customer: 'x'.repeat(513) }],
      ['{% $number($input.customer) %}', { customer: 'abc' }],
    ] as const)
      await expect(limit(key, input)).rejects.toMatchObject({ status: 422, errors: [{ pointer: '/body/input' }] });
  });
});
