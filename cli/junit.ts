/**
 * JUnit XML of a test run (what CI servers read): one `<testsuite>` per test definition, one `<testcase>` per
 * case; a failed case has a `<failure>` listing each failed expectation (pointer, expected, actual), an errored
 * case an `<error>`, a skipped one `<skipped/>`. Built with xmlbuilder2, which escapes every value.
 */
import { create } from 'xmlbuilder2';
import type { ExpectationResult, TestCaseStatus } from '../common/contracts/testing';

/** A case result row as `GET /test-runs/{id}/results` answers it (the fields the CLI reads). */
export interface CaseResultRow {
  id: string;
  case_id: string;
  name?: string | null;
  test_id?: string | null;
  status: TestCaseStatus;
  assertions?: ExpectationResult[] | null;
  error?: unknown;
  path?: string[] | null;
  temporal_workflow_id?: string | null;
  duration_ms?: number | null;
  simulated_duration_ms?: number | null;
}

/** The failed expectations of a case, one line each: `/pointer: message (expected X, actual Y)`. */
export function failureLines(row: CaseResultRow): string[] {
  return (row.assertions ?? [])
    .filter((a) => !a.passed)
    .map((a) => {
      const values =
        'expected' in a || 'actual' in a ? ` (expected ${show(a.expected)}, actual ${show(a.actual)})` : '';
      return `${a.pointer || a.expectation}: ${a.message}${values}`;
    });
}

/** A case's error as one line. */
export function errorText(error: unknown): string {
  if (error === null || error === undefined) return 'error';
  if (typeof error === 'string') return error;
  const e = error as { type?: string; message?: string };
  if (e.message) return e.type ? `${e.type}: ${e.message}` : e.message;
  return JSON.stringify(error);
}

function show(v: unknown): string {
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

/** JUnit XML for `rows` of the run named `runName`. */
export function renderJUnit(runName: string, rows: CaseResultRow[]): string {
  const suites = new Map<string, CaseResultRow[]>();
  for (const row of rows) {
    const key = row.test_id ?? 'tests';
    suites.set(key, [...(suites.get(key) ?? []), row]);
  }
  const count = (list: CaseResultRow[], s: TestCaseStatus) => list.filter((r) => r.status === s).length;
  const seconds = (list: CaseResultRow[]) => (list.reduce((t, r) => t + (r.duration_ms ?? 0), 0) / 1000).toFixed(3);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: runName,
    tests: rows.length,
    failures: count(rows, 'failed'),
    errors: count(rows, 'error'),
    skipped: count(rows, 'skipped'),
    time: seconds(rows),
  });
  for (const [testId, list] of suites) {
    const suite = root.ele('testsuite', {
      name: testId,
      tests: list.length,
      failures: count(list, 'failed'),
      errors: count(list, 'error'),
      skipped: count(list, 'skipped'),
      time: seconds(list),
    });
    for (const row of list) {
      const tc = suite.ele('testcase', {
        name: row.name ?? row.case_id,
        classname: testId,
        time: ((row.duration_ms ?? 0) / 1000).toFixed(3),
      });
      if (row.status === 'failed') {
        const lines = failureLines(row);
        tc.ele('failure', { message: lines[0] ?? 'failed', type: 'ExpectationFailed' }).txt(lines.join('\n'));
      } else if (row.status === 'error') {
        const text = errorText(row.error);
        tc.ele('error', { message: text.split('\n')[0], type: 'CaseError' }).txt(text);
      } else if (row.status !== 'passed') {
        tc.ele('skipped', { message: row.status });
      }
      if (row.temporal_workflow_id) tc.ele('system-out').txt(`workflow: ${row.temporal_workflow_id}`);
    }
  }
  return root.end({ prettyPrint: true });
}
