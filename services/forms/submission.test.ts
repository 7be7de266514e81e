/** The form check of submissions: every error at once, actions (implicit `submit`), `requires`, read-only fields. */
import type { FormSnapshot } from '../../common/contracts/human-tasks';
import { AppError } from '../../common/errors';
import { MAX_JSON_SCHEMA_CHARS } from '../../common/json-schema-limits';
import { actionErrors, effectiveData, formActions, isFilled, submissionErrors } from './submission';

const form: FormSnapshot = {
  componentId: 'unit-form',
  version: '1.0.0',
  name: 'Unit form',
  schema: {
    type: 'object',
    required: ['note'],
    properties: { amount: { type: 'number' }, note: { type: 'string', minLength: 3 }, 'a/b': { type: 'string' } },
  },
  layout: { fields: { amount: { readonly: true } } },
  actions: [
    { id: 'approve', label: 'Approve', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger', requires: ['note', 'a/b'] },
  ],
};

it('When the data fits and the action exists, then there is no error', () => {
  expect(submissionErrors(form, 'approve', { note: 'fine' })).toEqual([]);
});

it('When several things are wrong, then every error is listed with its pointer', () => {
  expect(submissionErrors(form, 'reject', { amount: 'x', note: '' })).toEqual(
    expect.arrayContaining([
      { pointer: '/body/data/amount', message: 'must be number' },
      { pointer: '/body/data/note', message: expect.stringMatching(/fewer than 3/) },
      { pointer: '/body/data/note', message: 'is required by action reject' },
      { pointer: '/body/data/a~1b', message: 'is required by action reject' },
    ]),
  );
});

it('When the action is unknown, then /body/action names the form’s actions, besides the data errors', () => {
  expect(submissionErrors(form, 'escalate', {})).toEqual([
    { pointer: '/body/data/note', message: "must have required property 'note'" },
    { pointer: '/body/action', message: 'must be one of approve, reject' },
  ]);
});

it('When a form has no actions, then `submit` is its one action', () => {
  const bare = { ...form, actions: [] };
  expect(formActions(bare).map((a) => a.id)).toEqual(['submit']);
  expect(submissionErrors(bare, 'submit', { note: 'fine' })).toEqual([]);
  expect(submissionErrors(bare, 'approve', { note: 'fine' })).toEqual([
    { pointer: '/body/action', message: 'must be one of submit' },
  ]);
});

it('When an action requires fields, then they must be filled (the schema’s own checks are separate)', () => {
  const decision = {
    actions: [
      { id: 'approve', label: 'Approve' },
      { id: 'reject', label: 'Reject', requires: ['decision_note'] },
    ],
  };
  expect(actionErrors(decision, 'approve', {})).toEqual([]);
  expect(actionErrors(decision, 'reject', { decision_note: '  ' })).toEqual([
    { pointer: '/body/data/decision_note', message: 'is required by action reject' },
  ]);
  expect(actionErrors(decision, 'reject', { decision_note: 'too expensive' })).toEqual([]);
  expect(actionErrors(decision, 'reject', {}, '')).toEqual([
    { pointer: '/data/decision_note', message: 'is required by action reject' },
  ]);
  expect([isFilled(0), isFilled(false), isFilled([]), isFilled(null), isFilled(' x')]).toEqual([
    true,
    true,
    false,
    false,
    true,
  ]);
});

it('When a read-only field is submitted, then the prefilled value counts', () => {
  expect(effectiveData(form, { amount: 1_000_000, note: 'x' }, { amount: 120 })).toEqual({ amount: 120, note: 'x' });
  expect(effectiveData(form, { amount: 5 }, undefined)).toEqual({ amount: 5 });
});

it('When the snapshot’s schema breaks the platform’s schema limits, then 409 and nothing is compiled', () => {
  const huge = {
    ...form,
    componentId: 'huge-form',
    schema: { type: 'object', description: 'x'.repeat(MAX_JSON_SCHEMA_CHARS) },
  };
  const thrown = (f: FormSnapshot) => {
    try {
      submissionErrors(f, 'approve', {});
    } catch (err) {
      return err as AppError;
    }
    throw new Error('no error');
  };
  expect(thrown(huge)).toMatchObject({ status: 409, message: expect.stringMatching(/at most \d+ characters/) });
  const broken = { ...form, componentId: 'broken-form', schema: { type: 'nonsense' } };
  expect(thrown(broken)).toMatchObject({ status: 409, message: expect.stringMatching(/schema is invalid/) });
});
