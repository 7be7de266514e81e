/** The action rules of a submission: an offered action, its required fields filled. */
import type { FormAction } from '../../common/contracts/human-tasks';
import { actionErrors, isFilled } from './submission';

const form = {
  actions: [
    { id: 'approve', label: 'Approve', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger', requires: ['decision_note'] },
  ] satisfies FormAction[],
};

it('names an action the form offers', () => {
  expect(actionErrors(form, 'escalate', {})).toEqual([
    { pointer: '/body/action', message: "must be one of the form's actions: approve, reject" },
  ]);
});

it("fills the fields the action requires (the schema's own checks are separate)", () => {
  expect(actionErrors(form, 'approve', {})).toEqual([]);
  expect(actionErrors(form, 'reject', { decision_note: '  ' })).toEqual([
    { pointer: '/body/data/decision_note', message: 'is required to Reject' },
  ]);
  expect(actionErrors(form, 'reject', { decision_note: 'too expensive' })).toEqual([]);
  expect([isFilled(0), isFilled(false), isFilled([]), isFilled(null)]).toEqual([true, true, false, false]);
});
