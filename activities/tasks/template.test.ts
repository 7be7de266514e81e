/** JSONata templates of task configs. */
import { ApplicationFailure } from '@temporalio/common';
import { render } from './template';

describe('render', () => {
  it('evaluates a whole-string expression to its raw value and interpolates mixed text', async () => {
    const out = await render(
      { n: '{% $input.n * 2 %}', url: 'https://x/{% $input.id %}/y', keep: 'plain', list: ['{% $input.id %}', 3] },
      { input: { n: 2, id: 'a' } },
      '/config',
    );
    expect(out).toEqual({ n: 4, url: 'https://x/a/y', keep: 'plain', list: ['a', 3] });
  });

  it('reports an unparsable expression as non-retryable BadTaskConfig naming the field', async () => {
    const err = await render({ body: { x: '{% $input. %}' } }, { input: {} }, '/config').catch((e: Error) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'BadTaskConfig', nonRetryable: true });
    expect((err as Error).message).toContain('/config/body/x');
  });
});
