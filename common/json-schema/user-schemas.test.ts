/** Every user-supplied schema compiles with the same safety rules, wherever it comes from. */
import { MAX_PATTERN_INPUT } from '../events/regex-safety';
import { MAX_JSON_SCHEMA_CHARS } from '../json-schema-limits';
import { cachedUserSchema, compileUserSchema, schemaErrors, valueErrors } from './user-schemas';

it('When a user schema has a pattern, then strings over the cap never match it', () => {
  const validate = compileUserSchema({ type: 'string', pattern: '^a+$' });
  expect(validate('a'.repeat(MAX_PATTERN_INPUT))).toBe(true);
  expect(validate('a'.repeat(MAX_PATTERN_INPUT + 1))).toBe(false);
});

it('When two user schemas carry the same $id, then both compile', () => {
  expect(() => compileUserSchema({ $id: 'https://example.com/same.json', type: 'string' })).not.toThrow();
  expect(() => compileUserSchema({ $id: 'https://example.com/same.json', type: 'number' })).not.toThrow();
});

it('When a user schema is not a JSON Schema, then compiling it names the first problem', () => {
  expect(() => compileUserSchema({ type: 'nope' })).toThrow(/^schema is invalid: \/type/);
});

it('When a cached schema is edited under the same key, then it is recompiled', () => {
  expect(cachedUserSchema('k', { type: 'string' })('x')).toBe(true);
  expect(cachedUserSchema('k', { type: 'number' })('x')).toBe(false);
});

it('When a schema is over the size bound, then it is refused at write', () => {
  const big = { description: 'x'.repeat(MAX_JSON_SCHEMA_CHARS) };
  expect(schemaErrors(big, '/body/schema')).toEqual([
    { pointer: '/body/schema', message: expect.stringContaining('at most') },
  ]);
  expect(valueErrors({ type: 'object', required: ['a'] }, {}, '/body/config')).toEqual([
    { pointer: '/body/config/a', message: expect.any(String) },
  ]);
});
