/** The error catalogue is the one list of failure types, and docs/definition-language.md shows exactly it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogueMarkdown, FAILURES, FailureType, failureTypeForStatus, NON_RETRYABLE_FAILURES } from './catalogue';

const DOC = join(__dirname, '..', '..', 'docs', 'definition-language.md');

it('When the catalogue changes, then docs/definition-language.md lists the same table', () => {
  const doc = readFileSync(DOC, 'utf8');
  const between = /<!-- failure-catalogue:start -->\n([\s\S]*?)\n<!-- failure-catalogue:end -->/.exec(doc);
  expect(between).not.toBeNull();
  // On failure: paste catalogueMarkdown()'s output (the expected value below) between the markers.
  expect(between![1]).toBe(catalogueMarkdown());
});

it('When code names a failure type, then the name is its own value', () => {
  for (const type of Object.keys(FAILURES)) expect(FailureType[type as FailureType]).toBe(type);
});

it('When a task failure cannot be fixed by a retry, then it is in NON_RETRYABLE_FAILURES', () => {
  expect(NON_RETRYABLE_FAILURES).toEqual(
    expect.arrayContaining(['SchemaViolation', 'BadTaskConfig', 'NotFound', 'PayloadTooLarge']),
  );
  expect(NON_RETRYABLE_FAILURES).not.toContain('UnexpectedStatus');
  expect(NON_RETRYABLE_FAILURES).not.toContain('HttpTimeout');
});

it('When an API problem has a catalogued status, then it maps to one failure type', () => {
  const statuses = Object.values(FAILURES)
    .map((e) => e.httpStatus)
    .filter((s) => s !== null);
  expect(new Set(statuses).size).toBe(statuses.length);
  expect(failureTypeForStatus(404)).toBe('NotFound');
  expect(failureTypeForStatus(418)).toBeUndefined();
});
