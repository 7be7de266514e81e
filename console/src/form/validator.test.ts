/** The console's eval-free rjsf validator (validator.ts): messages, where errors land, refs, rjsf's hooks. */
import type { RJSFSchema } from '@rjsf/utils';
import { layoutToUiSchema } from './layout';
import { InterpretingValidator, asJson, pointerSegments, validator } from './validator';

// @rjsf/utils' CommonJS build requires @x0k/json-schema-merge, which is ESM only (jest on Node 20 cannot load it).
// rjsf merges `allOf` with it, which none of these schemas has: stand-ins that fail loudly if that changes.
jest.mock('@x0k/json-schema-merge', () => {
  const unused = () => {
    throw new Error('allOf merging is not available in unit tests');
  };
  return { createComparator: () => ({}), createMerger: () => ({}), createShallowAllOfMerge: () => unused };
});
jest.mock('@x0k/json-schema-merge/lib/array', () => ({
  createIntersector: () => null,
  createDeduplicator: () => null,
}));

/** The brief's example form, plus a choice, a count, an optional mail and a nested address. */
const schema: RJSFSchema = {
  type: 'object',
  required: ['decision_note', 'outcome'],
  properties: {
    amount: { type: 'number', minimum: 0 },
    decision_note: { type: 'string', minLength: 3, title: 'Decision note' },
    outcome: { type: 'string', enum: ['approve', 'reject'] },
    count: { type: 'integer', maximum: 10 },
    address: {
      type: 'object',
      required: ['city'],
      properties: { city: { type: 'string' }, 'zip.code': { type: 'string', pattern: '^[0-9]{5}$' } },
    },
  },
};
const uiSchema = layoutToUiSchema({
  schema,
  layout: { fields: { decision_note: { label: 'Note' }, amount: { label: 'Amount (EUR)' } } },
});

const errorsOf = (data: unknown, s: RJSFSchema = schema) =>
  validator.validateFormData(data, s, undefined, undefined, uiSchema);

describe('validateFormData', () => {
  it('accepts valid data with no errors', () => {
    const r = errorsOf({
      amount: 12.5,
      decision_note: 'fine',
      outcome: 'approve',
      count: 3,
      address: { city: 'Graz' },
    });
    expect(r.errors).toEqual([]);
    expect(r.errorSchema).toEqual({});
  });

  it('puts every error on its field, in the server’s words, all at once', () => {
    const r = errorsOf({ amount: -1, decision_note: 'ab', count: 2.5 });
    expect(r.errorSchema).toEqual({
      amount: { __errors: ['must be >= 0'] },
      decision_note: { __errors: ['must NOT have fewer than 3 characters'] },
      outcome: { __errors: ['is required'] },
      count: { __errors: ['must be integer'] },
    });
    // The list above the form names each field by its label (layout label, else schema title, else its name).
    expect(r.errors.map((e) => e.stack).sort()).toEqual([
      'Amount (EUR) must be >= 0',
      'Note must NOT have fewer than 3 characters',
      'count must be integer',
      'outcome is required',
    ]);
    expect(r.errors.find((e) => e.property === '.outcome')).toMatchObject({
      name: 'required',
      params: { missingProperty: 'outcome' },
    });
  });

  it('reports enum, maximum, type and nested errors on the right (nested) field', () => {
    const r = errorsOf({
      decision_note: 'okay',
      outcome: 'maybe',
      count: 11,
      amount: 'ten',
      address: { 'zip.code': '12' },
    });
    expect(r.errorSchema).toEqual({
      outcome: { __errors: ['must be one of approve, reject'] },
      count: { __errors: ['must be <= 10'] },
      amount: { __errors: ['must be number'] },
      // A field name with a dot stays one segment.
      address: { city: { __errors: ['is required'] }, 'zip.code': { __errors: ['must match pattern "^[0-9]{5}$"'] } },
    });
  });

  it('checks the data as JSON: a field rjsf left undefined is missing, not an error of its own', () => {
    const r = errorsOf({ decision_note: undefined, outcome: 'reject' });
    expect(r.errorSchema).toEqual({ decision_note: { __errors: ['is required'] } });
    expect(asJson(undefined)).toBeNull();
    expect(asJson({ a: undefined, b: [undefined] })).toEqual({ b: [null] });
  });

  it('resolves $refs to $defs, and reports through them', () => {
    const withRefs: RJSFSchema = {
      type: 'object',
      $defs: { note: { type: 'string', minLength: 2 } },
      properties: { a: { $ref: '#/$defs/note' }, b: { type: 'array', items: { $ref: '#/$defs/note' } } },
    };
    const r = errorsOf({ a: 'x', b: ['ok', 'y'] }, withRefs);
    expect(r.errorSchema).toEqual({
      a: { __errors: ['must NOT have fewer than 2 characters'] },
      b: { 1: { __errors: ['must NOT have fewer than 2 characters'] } },
    });
  });

  it('lands additional properties, formats and uniqueness where they are', () => {
    const strict: RJSFSchema = {
      type: 'object',
      additionalProperties: false,
      properties: {
        mail: { type: 'string', format: 'email' },
        tags: { type: 'array', uniqueItems: true, minItems: 1 },
      },
    };
    const r = errorsOf({ mail: 'nope', tags: ['a', 'a'], extra: 1 }, strict);
    expect(r.errorSchema).toEqual({
      mail: { __errors: ['must match format "email"'] },
      tags: { __errors: ['must NOT have duplicate items'] },
      extra: { __errors: ['is not allowed'] },
    });
  });

  it('runs customValidate and transformErrors as rjsf expects', () => {
    const r = validator.validateFormData(
      { decision_note: 'abc', outcome: 'approve', amount: 5 },
      schema,
      (data, errors) => {
        if ((data as { amount?: number }).amount === 5)
          (errors as unknown as { amount: { addError(m: string): void } }).amount.addError('not five');
        return errors;
      },
      (errors) => errors,
      uiSchema,
    );
    // rjsf's error handler mirrors the data with empty lists, as with its own validators.
    expect(r.errorSchema).toMatchObject({ amount: { __errors: ['not five'] }, outcome: { __errors: [] } });
    expect(r.errors.map((e) => e.message)).toEqual(['not five']);
  });

  it('leaves a schema it cannot interpret to the server (no error in the browser)', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const broken: RJSFSchema = { type: 'object', properties: { a: { $ref: 'https://elsewhere.example/x.json' } } };
    expect(errorsOf({ a: 1 }, broken)).toEqual({ errors: [], errorSchema: {} });
    expect(validator.rawValidation(broken, { a: 1 }).validationError).toBeInstanceOf(Error);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('validates again after the schema changes (a new object), and after reset', () => {
    const v = new InterpretingValidator();
    const s1: RJSFSchema = { type: 'object', properties: { a: { type: 'string' } } };
    const s2: RJSFSchema = { type: 'object', properties: { a: { type: 'number' } } };
    expect(v.validateFormData({ a: 1 }, s1).errors).toHaveLength(1);
    expect(v.validateFormData({ a: 1 }, s2).errors).toHaveLength(0);
    v.reset();
    expect(v.validateFormData({ a: 1 }, s1).errors).toHaveLength(1);
  });
});

describe('isValid (rjsf picks oneOf/anyOf options and if/then branches with it)', () => {
  const root: RJSFSchema = {
    type: 'object',
    $defs: { card: { type: 'object', required: ['number'], properties: { number: { type: 'string' } } } },
    properties: { pay: { oneOf: [{ $ref: '#/$defs/card' }, { type: 'object', required: ['iban'] }] } },
  };

  it('resolves a subschema’s # refs against the root schema', () => {
    expect(validator.isValid({ $ref: '#/$defs/card' }, { number: '4111' }, root)).toBe(true);
    expect(validator.isValid({ $ref: '#/$defs/card' }, { iban: 'AT61' }, root)).toBe(false);
    expect(validator.isValid({ type: 'object', required: ['iban'] }, { iban: 'AT61' }, root)).toBe(true);
    // Asked again (the same root, another subschema object): no duplicate-URI clash.
    expect(validator.isValid({ $ref: '#/$defs/card' }, { number: '1' }, root)).toBe(true);
  });

  it('is false for a schema it cannot interpret', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(validator.isValid({ $ref: '#/$defs/missing' }, {}, root)).toBe(false);
    warn.mockRestore();
  });
});

describe('pointerSegments', () => {
  it('decodes URI-fragment JSON pointers', () => {
    expect(pointerSegments('#')).toEqual([]);
    expect(pointerSegments('#/a/b~1c/d~0e/zip.code/%C3%A4%20x')).toEqual(['a', 'b/c', 'd~e', 'zip.code', 'ä x']);
  });
});
