/** "Latest active" means the highest version, not the newest row. */
import { compareVersions, highest } from './semver';
import { collectTaskRefs } from './task-refs';

it('orders versions numerically, pre-releases before their release', () => {
  expect(['1.10.0', '1.2.0', '2.0.0-rc.1', '2.0.0', '1.2.0-beta'].sort(compareVersions)).toEqual([
    '1.2.0-beta',
    '1.2.0',
    '1.10.0',
    '2.0.0-rc.1',
    '2.0.0',
  ]);
  expect(highest([{ version: '1.0.1' }, { version: '1.0.10' }, { version: '1.0.2' }])?.version).toBe('1.0.10');
});

it('collects task references from nested blocks, pinned ones included', () => {
  const refs = collectTaskRefs([
    { id: 'a', type: 'task', task: 'x' },
    { id: 'p', type: 'parallel', branches: [{ id: 'b', steps: [{ id: 'c', type: 'task', task: 'y@1.2.0' }] }] },
    { id: 'f', type: 'foreach', items: [], steps: [{ id: 'd', type: 'task', task: 'x' }] },
  ]);
  expect(refs).toEqual([
    { ref: 'x', taskId: 'x' },
    { ref: 'y@1.2.0', taskId: 'y', version: '1.2.0' },
  ]);
});
