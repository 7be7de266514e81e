/** Reading definition files for `aos`: kinds told apart, YAML and JSON loaded, problems located by file and pointer. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectKind, formatProblem, loadDocuments } from '../../cli/documents';
import { validateDocuments } from '../../cli/validate';

function dir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'aos-docs-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

describe('aos definition files', () => {
  it('tells each kind by its id field', () => {
    expect(detectKind({ workflow_id: 'w', steps: [] })).toBe('workflow');
    expect(detectKind({ task_id: 't' })).toBe('task');
    expect(detectKind({ event_id: 'e' })).toBe('event');
    expect(detectKind({ test_id: 'x' })).toBe('test');
    expect(detectKind({ triggerId: 'g' })).toBe('trigger');
    expect(detectKind({ workflowDefinitionId: 'w', eventPattern: 'a.b' })).toBe('trigger');
    expect(detectKind({ name: 'nothing' })).toBeUndefined();
  });

  it('loads YAML (several documents per file) and JSON from a directory tree, taking $schema and status off', () => {
    const root = dir({
      'tasks.yaml':
        'task_id: a\nversion: 1.0.0\ntype: echo\nconfig: {}\nstatus: active\n' +
        '---\ntask_id: b\nversion: 1.0.0\ntype: echo\nconfig: {}\n',
      'nested/flow.json': JSON.stringify({ $schema: 'x', workflow_id: 'w', name: 'W', version: '1.0.0', steps: [] }),
      'README.md': '# not a definition',
    });
    const { documents, problems } = loadDocuments([root]);
    expect(problems).toEqual([]);
    expect(documents.map((d) => [d.kind, d.id, d.version, d.status])).toEqual([
      ['workflow', 'w', '1.0.0', undefined],
      ['task', 'a', '1.0.0', 'active'],
      ['task', 'b', '1.0.0', undefined],
    ]);
    expect(documents[0].body).not.toHaveProperty('$schema');
    expect(documents[1].body).not.toHaveProperty('status');
    expect(documents[1].source).toBe(join(root, 'tasks.yaml#1'));
  });

  it('reports unparsable files, unknown kinds and missing ids with the file and pointer', () => {
    const root = dir({
      'bad.json': '{"task_id": ',
      'bad.yaml': 'task_id: [unclosed\n',
      'what.yaml': 'name: no id\n',
      'trigger.yaml': 'workflowDefinitionId: w\neventPattern: a.b\ntriggerType: START\n',
    });
    const lines = loadDocuments([root]).problems.map(formatProblem);
    expect(lines).toEqual([
      expect.stringMatching(/bad\.json: not valid JSON/),
      expect.stringMatching(/bad\.yaml: not valid YAML \(line \d+, column \d+\): Flow sequence .*[^:]$/),
      expect.stringMatching(/trigger\.yaml: \/triggerId must be a triggerId/),
      expect.stringMatching(/what\.yaml: unknown kind/),
    ]);
  });

  it('reports a missing path and a definition given twice', () => {
    const root = dir({ 'a.yaml': 'event_id: e\nversion: 1.0.0\n', 'b.json': '{"event_id":"e","version":"1.0.0"}' });
    const lines = loadDocuments([root, join(root, 'missing')]).problems.map(formatProblem);
    expect(lines).toEqual([
      `${join(root, 'missing')}: no such file or directory`,
      `${join(root, 'b.json')}: /event_id also defined in ${join(root, 'a.yaml')}`,
    ]);
  });

  it('validates every kind offline and prints each error as file: /pointer message', async () => {
    const root = dir({
      'flow.yaml': 'workflow_id: w\nname: W\nversion: 1.0.0\nsteps:\n  - id: a\n    type: nope\n',
      'task.json': JSON.stringify({ task_id: 't', version: '1.0.0', type: 'echo' }),
      'event.yaml': 'event_id: e\nname: E\nversion: 1.0.0\npattern: "bad pattern"\n',
      'trigger.yaml': 'triggerId: g\nworkflowDefinitionId: w\neventPattern: a.b\ntriggerType: LATER\n',
      'test.yaml':
        'test_id: x\nversion: 1.0.0\nname: X\ntarget_type: workflow\ntarget_id: w\ntest_cases:\n  - name: no id\n',
    });
    const { documents } = loadDocuments([root]);
    const lines = (await validateDocuments(documents)).map(formatProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/event\.yaml: \/pattern /),
        expect.stringMatching(/flow\.yaml: \/steps\/0/),
        expect.stringMatching(/task\.json: \/config /),
        expect.stringMatching(/test\.yaml: \/test_cases\/0\/case_id is required/),
        expect.stringMatching(/trigger\.yaml: \/triggerType /),
      ]),
    );
    const valid = dir({ 'task.yaml': 'task_id: t\nversion: 1.0.0\ntype: echo\nconfig: {}\n' });
    expect(await validateDocuments(loadDocuments([valid]).documents)).toEqual([]);
  });
});
