/** The UI component checks: shape, form_schema, layout and action rules, every error at once with its pointer. */
import { formRuleErrors, hasChoices, propertyTypes, uiComponentErrors, widgetProblem } from './checks';

/** The brief's example form. */
const expense = () => ({
  component_id: 'expense-approval',
  version: '1.0.0',
  name: 'Expense approval',
  component_type: 'form',
  form_schema: {
    type: 'object',
    required: ['decision_note'],
    properties: {
      amount: { type: 'number' },
      decision_note: { type: 'string', minLength: 3 },
      urgent: { type: 'boolean' },
      currency: { type: 'string', enum: ['EUR', 'USD'] },
    },
  },
  layout: {
    sections: [
      { title: 'Request', fields: ['amount', 'currency'] },
      { title: 'Decision', fields: ['decision_note'] },
    ],
    fields: {
      amount: { label: 'Amount (EUR)', readonly: true, widget: 'number' },
      decision_note: { label: 'Note', widget: 'textarea', help: 'Why?' },
      urgent: { widget: 'checkbox' },
      currency: { widget: 'select' },
    },
  },
  actions: [
    { id: 'approve', label: 'Approve', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger', requires: ['decision_note'] },
  ],
});

const pointers = (doc: unknown) => uiComponentErrors(doc).map((e) => e.pointer);

describe('a UI component document', () => {
  it('is valid as the documented example', () => {
    expect(uiComponentErrors(expense())).toEqual([]);
  });

  it('may omit layout and actions, and a non-form component may omit its schema', () => {
    const { layout: _l, actions: _a, ...bare } = expense();
    expect(uiComponentErrors(bare)).toEqual([]);
    expect(uiComponentErrors({ component_id: 'x', version: '1', name: 'X', component_type: 'display' })).toEqual([]);
  });

  it('reports shape errors and rule errors together', () => {
    const doc = expense();
    (doc as Record<string, unknown>).colour = 'blue';
    doc.actions.push({ id: 'approve', label: 'Again', style: 'primary' });
    doc.layout.sections[1].fields.push('ghost');
    expect(uiComponentErrors(doc)).toEqual([
      expect.objectContaining({ pointer: '/colour', code: 'schema.additionalProperties' }),
      expect.objectContaining({ pointer: '/layout/sections/1/fields/1', code: 'unknown_field' }),
      expect.objectContaining({ pointer: '/actions/2/id', code: 'duplicate_action_id' }),
    ]);
  });

  it('refuses a form_schema that is not a JSON Schema, and compares no field against it', () => {
    const doc = { ...expense(), form_schema: { type: 'object', properties: { a: { type: 42 } } } };
    const errors = uiComponentErrors(doc);
    expect(errors).toEqual([
      expect.objectContaining({ pointer: '/form_schema/properties/a/type', code: 'invalid_json_schema' }),
    ]);
  });

  it('needs an object schema with properties for a form', () => {
    expect(pointers({ ...expense(), form_schema: { type: 'string' }, layout: {}, actions: [] })).toEqual([
      '/form_schema',
    ]);
    expect(pointers({ ...expense(), form_schema: { type: 'object' }, layout: {}, actions: [] })).toEqual([
      '/form_schema',
    ]);
    const { form_schema: _s, layout: _l, actions: _a, ...none } = expense();
    expect(uiComponentErrors(none)).toEqual([expect.objectContaining({ code: 'form_schema_required' })]);
  });

  it('lists every layout and action problem at once', () => {
    const doc = expense();
    doc.layout.sections[0].fields.push('decision_note', 'nope'); // in two sections; unknown
    (doc.layout.fields as Record<string, unknown>)['a/b'] = { label: 'x' }; // unknown, pointer escaped
    doc.layout.fields.urgent.widget = 'textarea'; // boolean with a text widget
    doc.actions[1].requires = ['decision_note', 'missing'];
    expect(uiComponentErrors(doc).map((e) => [e.pointer, e.code])).toEqual([
      ['/layout/sections/0/fields/3', 'unknown_field'],
      ['/layout/sections/1/fields/0', 'field_in_two_sections'],
      ['/layout/fields/urgent/widget', 'widget_mismatch'],
      ['/layout/fields/a~1b', 'unknown_field'],
      ['/actions/1/requires/1', 'unknown_field'],
    ]);
  });

  it('names the section a field was first placed in', () => {
    const doc = expense();
    doc.layout.sections[1].fields.push('amount');
    expect(uiComponentErrors(doc)).toEqual([
      expect.objectContaining({
        pointer: '/layout/sections/1/fields/1',
        message: expect.stringContaining('/layout/sections/0/fields/0'),
      }),
    ]);
  });

  it('checks action ids against [A-Za-z0-9_-]+', () => {
    const doc = expense();
    doc.actions[0].id = 'no spaces';
    expect(pointers(doc)).toEqual(['/actions/0/id']);
  });

  it('refuses fields named by a component without a schema', () => {
    const errors = formRuleErrors({ layout: { sections: [{ fields: ['a'] }] }, actions: [] }, undefined);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('no object form_schema') })]);
  });
});

describe('widgets', () => {
  it.each([
    ['checkbox', { type: 'boolean' }],
    ['number', { type: 'number' }],
    ['number', { type: 'integer' }],
    ['text', { type: 'string' }],
    ['textarea', { type: ['string', 'null'] }],
    ['email', { type: 'string', format: 'email' }],
    ['date', { type: 'string', format: 'date' }],
    ['datetime', { type: 'string' }],
    ['select', { type: 'string', enum: ['a', 'b'] }],
    ['radio', { oneOf: [{ const: 1 }, { const: 2 }] }],
    ['hidden', { type: 'object' }],
    ['text', { $ref: '#/$defs/x' }],
  ])('%s fits %j', (widget, schema) => {
    expect(widgetProblem(widget, schema)).toBeUndefined();
  });

  it.each([
    ['checkbox', { type: 'string' }],
    ['number', { type: 'string' }],
    ['text', { type: 'boolean' }],
    ['date', { type: 'number' }],
    ['select', { type: 'string' }],
    ['radio', { type: 'boolean' }],
  ])('%s does not fit %j', (widget, schema) => {
    expect(widgetProblem(widget, schema)).toMatch(new RegExp(`widget "${widget}"`));
  });

  it('reads types from type, enum and const', () => {
    expect([...propertyTypes({ enum: ['a', 1, null] })]).toEqual(['string', 'number', 'null']);
    expect([...propertyTypes({ const: true })]).toEqual(['boolean']);
    expect(hasChoices({ anyOf: [{ const: 'a' }, { type: 'string' }] })).toBe(false);
  });
});
