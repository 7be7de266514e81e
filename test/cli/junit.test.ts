/** JUnit XML of `aos test`: parsed back, a failed case lists its mismatches; errors and skips are marked. */
import { create } from 'xmlbuilder2';
import { renderJUnit, type CaseResultRow } from '../../cli/junit';

const rows: CaseResultRow[] = [
  { id: '1', case_id: 'ok', name: 'happy path', test_id: 'orders', status: 'passed', assertions: [], duration_ms: 120 },
  {
    id: '2',
    case_id: 'bad',
    name: 'total <wrong> & "quoted"',
    test_id: 'orders',
    status: 'failed',
    duration_ms: 80,
    temporal_workflow_id: 'aos-test-case.2',
    assertions: [
      { expectation: 'status', pointer: '/status', passed: true, message: 'ok' },
      { expectation: 'output', pointer: '/output/total', passed: false, expected: 10, actual: 12, message: 'differs' },
    ],
  },
  {
    id: '3',
    case_id: 'boom',
    test_id: 'billing',
    status: 'error',
    error: { type: 'Timeout', message: 'case took too long' },
  },
  { id: '4', case_id: 'later', test_id: 'billing', status: 'skipped' },
];

type Node = Record<string, unknown>;
// xmlbuilder2's object form keeps attribute values as written: decode the five XML entities.
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const text = (v: unknown) => String(v).replace(/&(lt|gt|amp|quot|apos);/g, (_m, e: string) => ENTITIES[e]);
const list = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]) as Node[];

describe('aos test JUnit report', () => {
  const xml = renderJUnit('run-1', rows);
  const doc = create(xml).end({ format: 'object' }) as { testsuites: Node };
  const suites = list(doc.testsuites.testsuite);
  const cases = (suite: Node) => list(suite.testcase);

  it('has one testsuite per test definition and one testcase per case, with the counts', () => {
    expect(doc.testsuites).toMatchObject({ '@tests': '4', '@failures': '1', '@errors': '1', '@skipped': '1' });
    expect(suites.map((s) => [s['@name'], s['@tests'], s['@failures'], s['@errors']])).toEqual([
      ['orders', '2', '1', '0'],
      ['billing', '2', '0', '1'],
    ]);
    expect(cases(suites[0]).map((c) => text(c['@name']))).toEqual(['happy path', 'total <wrong> & "quoted"']);
  });

  it('lists a failed case with its mismatching pointer, expected and actual', () => {
    const failed = cases(suites[0])[1];
    const failure = failed.failure as Node;
    expect(text(failure['@message'])).toBe('/output/total: differs (expected 10, actual 12)');
    expect(text(failure['#'])).toBe('/output/total: differs (expected 10, actual 12)');
    expect(failed['system-out']).toBe('workflow: aos-test-case.2');
    expect(cases(suites[0])[0]).not.toHaveProperty('failure');
  });

  it('marks an errored case with <error> and a skipped one with <skipped/>', () => {
    const [errored, skipped] = cases(suites[1]);
    expect((errored.error as Node)['@message']).toBe('Timeout: case took too long');
    expect(skipped).toHaveProperty('skipped');
    expect(errored['@name']).toBe('boom');
  });
});
