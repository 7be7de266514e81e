import type { FormSnapshot } from '../../../common/contracts/human-tasks';
import {
  errorSchemaMessages,
  formActions,
  layoutSections,
  layoutToUiSchema,
  missingRequired,
  rjsfFieldId,
  rjsfSchema,
  serverErrorsToExtraErrors,
} from './layout';

/** The brief's example component. */
const expense: FormSnapshot = {
  componentId: 'expense-approval',
  version: '1.0.0',
  name: 'Expense approval',
  schema: {
    type: 'object',
    required: ['decision_note'],
    properties: { amount: { type: 'number' }, decision_note: { type: 'string', minLength: 3 }, extra: {} },
  },
  layout: {
    sections: [
      { title: 'Request', fields: ['amount'] },
      { title: 'Decision', description: 'Your call', fields: ['decision_note'] },
    ],
    fields: {
      amount: { label: 'Amount (EUR)', readonly: true },
      decision_note: { label: 'Note', widget: 'textarea', help: 'Why?', placeholder: 'A few words' },
    },
  },
  actions: [
    { id: 'approve', label: 'Approve', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger', requires: ['decision_note'] },
  ],
};

describe('layoutToUiSchema', () => {
  it('orders fields by section, then the remaining schema fields', () => {
    const ui = layoutToUiSchema(expense);
    expect(ui['ui:order']).toEqual(['amount', 'decision_note', 'extra', '*']);
  });

  it('turns sections into groups and appends an untitled group for the rest', () => {
    expect(layoutSections(expense)).toEqual([
      { title: 'Request', fields: ['amount'] },
      { title: 'Decision', description: 'Your call', fields: ['decision_note'] },
      { fields: ['extra'] },
    ]);
    expect((layoutToUiSchema(expense)['ui:options'] as { sections: unknown[] }).sections).toHaveLength(3);
  });

  it('maps labels, help, placeholders, read-only and widgets', () => {
    const ui = layoutToUiSchema(expense);
    expect(ui.amount).toEqual({ 'ui:title': 'Amount (EUR)', 'ui:readonly': true });
    expect(ui.decision_note).toEqual({
      'ui:title': 'Note',
      'ui:help': 'Why?',
      'ui:placeholder': 'A few words',
      'ui:widget': 'textarea',
    });
  });

  it('maps every layout widget to an rjsf widget', () => {
    const widgets = [
      'text',
      'textarea',
      'number',
      'checkbox',
      'select',
      'radio',
      'date',
      'datetime',
      'email',
      'hidden',
    ];
    const ui = layoutToUiSchema({
      schema: { type: 'object', properties: Object.fromEntries(widgets.map((w) => [w, {}])) },
      layout: { fields: Object.fromEntries(widgets.map((w) => [w, { widget: w as never }])) },
    });
    expect(widgets.map((w) => (ui[w] as Record<string, string>)['ui:widget'])).toEqual([
      'text',
      'textarea',
      'updown',
      'checkbox',
      'select',
      'radio',
      'date',
      'datetime',
      'email',
      'hidden',
    ]);
  });

  it('without sections keeps schema order and adds no groups', () => {
    const ui = layoutToUiSchema({ schema: { type: 'object', properties: { b: {}, a: {} } }, layout: {} });
    expect(ui['ui:order']).toEqual(['b', 'a', '*']);
    expect(ui['ui:options']).toBeUndefined();
  });

  it('drops unknown and repeated field names', () => {
    const form = {
      schema: { type: 'object', properties: { a: {}, b: {} } },
      layout: { sections: [{ fields: ['a', 'ghost'] }, { fields: ['a', 'b'] }], fields: { ghost: { label: 'x' } } },
    };
    expect(layoutSections(form)).toEqual([{ fields: ['a'] }, { fields: ['b'] }]);
    expect(layoutToUiSchema(form).ghost).toBeUndefined();
  });

  it('keeps the free uiSchema hints unless the layout overrides them', () => {
    const ui = layoutToUiSchema({
      ...expense,
      uiSchema: { amount: { 'ui:title': 'old', 'ui:autofocus': true }, 'ui:submitButtonOptions': { norender: true } },
    });
    expect(ui.amount).toEqual({ 'ui:title': 'Amount (EUR)', 'ui:readonly': true, 'ui:autofocus': true });
    expect(ui['ui:submitButtonOptions']).toEqual({ norender: true });
  });

  it('accepts a boolean schema', () => {
    expect(layoutToUiSchema({ schema: true, layout: {} })['ui:order']).toEqual(['*']);
    expect(rjsfSchema(true)).toEqual({ type: 'object' });
  });
});

describe('actions', () => {
  it('offers an implicit submit when the form has no actions', () => {
    expect(formActions({ actions: [] })).toEqual([{ id: 'submit', label: 'Submit', style: 'primary' }]);
    expect(formActions(expense).map((a) => a.id)).toEqual(['approve', 'reject']);
  });

  it('reports the empty fields an action requires', () => {
    const reject = expense.actions[1]!;
    expect(missingRequired(reject, { decision_note: '  ' })).toEqual({
      decision_note: { __errors: ['is required for “Reject”'] },
    });
    expect(missingRequired(reject, { decision_note: 'no budget' })).toEqual({});
    expect(missingRequired(expense.actions[0]!, {})).toEqual({});
  });
});

describe('serverErrorsToExtraErrors', () => {
  it('puts /body/data pointers on their fields and keeps the rest apart', () => {
    const { extraErrors, other } = serverErrorsToExtraErrors([
      { pointer: '/body/data/decision_note', message: 'must NOT have fewer than 3 characters' },
      { pointer: '/body/data/decision_note', message: 'is required for reject' },
      { pointer: '/body/data/address/zip', message: 'bad zip' },
      { pointer: '/body/data/a~1b', message: 'escaped' },
      { pointer: '/body/action', message: 'unknown action' },
    ]);
    expect(extraErrors).toEqual({
      decision_note: { __errors: ['must NOT have fewer than 3 characters', 'is required for reject'] },
      address: { zip: { __errors: ['bad zip'] } },
      'a/b': { __errors: ['escaped'] },
    });
    expect(other).toEqual(['/body/action: unknown action']);
  });

  it('puts an error on the whole data object at the form level', () => {
    expect(serverErrorsToExtraErrors([{ pointer: '/body/data', message: 'must be object' }]).extraErrors).toEqual({
      __errors: ['must be object'],
    });
  });
});

describe('errorSchemaMessages and rjsfFieldId', () => {
  it('lists every message with its exact path, nested and dotted names included, and the field ids rjsf gives', () => {
    const merged = {
      __errors: ['the form is stale'],
      decision_note: { __errors: ['is required for “Reject”', 'must NOT have fewer than 3 characters'] },
      'cost.centre': { __errors: ['is required'] },
      address: { city: { __errors: ['is required'] } },
    };
    const messages = errorSchemaMessages(merged as never);
    expect(messages).toEqual([
      { path: [], message: 'the form is stale' },
      { path: ['decision_note'], message: 'is required for “Reject”' },
      { path: ['decision_note'], message: 'must NOT have fewer than 3 characters' },
      { path: ['cost.centre'], message: 'is required' },
      { path: ['address', 'city'], message: 'is required' },
    ]);
    expect(messages.map((m) => rjsfFieldId(m.path))).toEqual([
      'root',
      'root_decision_note',
      'root_decision_note',
      'root_cost.centre',
      'root_address_city',
    ]);
  });

  it('has nothing to list without errors', () => {
    expect(errorSchemaMessages(undefined)).toEqual([]);
    expect(errorSchemaMessages({} as never)).toEqual([]);
  });
});
