/**
 * The checks a UI component version passes before it is stored (#12): the document's shape (UiComponentSchema),
 * its form_schema under the platform's user-schema rules (size bound, meta-schema, compiles), and the rules JSON
 * Schema cannot say: a `form` has an object schema with properties; the layout names only top-level properties,
 * each in at most one section, with a widget that fits the property's type; action ids are unique and `requires`
 * names existing properties. Pure CPU work on the document: it runs in a validation thread
 * (services/validation), and every error is listed at once with its JSON pointer (relative to the document).
 */
import { ajv } from '../../common/ajv';
import type { ValidationError } from '../../common/definitions/validation-error';
import { addSchemaErrors } from '../../common/definitions/step-wise-schema';
import { UiComponentSchema } from '../../common/forms/schema';
import { schemaErrors } from '../../common/json-schema/user-schemas';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Escapes a property name for a JSON pointer segment (RFC 6901). */
export const pointerSegment = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');

const compiled = () => ajv.getSchema(UiComponentSchema.$id as string) ?? ajv.compile(UiComponentSchema);

/** The property types a JSON Schema property admits (`type`, else the types of its `enum`/`const`); empty = any. */
export function propertyTypes(schema: unknown): Set<string> {
  if (!isObj(schema)) return new Set();
  const { type } = schema;
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(type)) return new Set(type.filter((t): t is string => typeof t === 'string'));
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : [];
  return new Set(values.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)));
}

/** Whether a property offers a fixed list of choices (`enum`, or `oneOf`/`anyOf` of `const`s). */
export function hasChoices(schema: unknown): boolean {
  if (!isObj(schema)) return false;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return true;
  for (const key of ['oneOf', 'anyOf']) {
    const list = schema[key];
    if (Array.isArray(list) && list.length > 0 && list.every((s) => isObj(s) && 'const' in s)) return true;
  }
  return false;
}

/** The property types each widget fits (`undefined`: any type; select/radio need choices, not a type). */
const WIDGET_TYPES: Record<string, readonly string[] | undefined> = {
  text: ['string'],
  textarea: ['string'],
  email: ['string'],
  date: ['string'],
  datetime: ['string'],
  number: ['number', 'integer'],
  checkbox: ['boolean'],
  select: undefined,
  radio: undefined,
  hidden: undefined,
};

/** Why `widget` does not fit the property `schema` (undefined when it fits, or the type cannot be told). */
export function widgetProblem(widget: string, schema: unknown): string | undefined {
  if (widget === 'select' || widget === 'radio') {
    return hasChoices(schema) ? undefined : `widget "${widget}" needs a property with an enum of choices`;
  }
  const fits = WIDGET_TYPES[widget];
  if (!fits) return undefined;
  const types = propertyTypes(schema);
  if (types.size === 0) return undefined; // untyped ($ref, anyOf...): nothing to compare
  if (fits.some((t) => types.has(t) || (t === 'number' && types.has('integer')))) return undefined;
  return `widget "${widget}" needs a ${fits.join(' or ')} property, not ${[...types].join(' or ')}`;
}

/**
 * The layout and action rules, given the top-level `properties` of form_schema (undefined when the component
 * has no usable schema: then any field named is an error).
 */
export function formRuleErrors(doc: Obj, properties: Obj | undefined): ValidationError[] {
  const errors: ValidationError[] = [];
  const has = (name: string) => properties !== undefined && Object.prototype.hasOwnProperty.call(properties, name);
  const missing = (name: string) =>
    properties === undefined
      ? `"${name}" is not a property of form_schema (the component has no object form_schema)`
      : `"${name}" is not a top-level property of form_schema`;
  const layout = isObj(doc.layout) ? doc.layout : {};

  const placed = new Map<string, string>();
  if (Array.isArray(layout.sections)) {
    layout.sections.forEach((section, i) => {
      if (!isObj(section) || !Array.isArray(section.fields)) return;
      section.fields.forEach((name, j) => {
        if (typeof name !== 'string') return;
        const pointer = `/layout/sections/${i}/fields/${j}`;
        if (!has(name)) errors.push({ pointer, code: 'unknown_field', message: missing(name) });
        const first = placed.get(name);
        if (first !== undefined) {
          errors.push({
            pointer,
            code: 'field_in_two_sections',
            message: `"${name}" is already placed at ${first}: a field belongs to at most one section`,
          });
        } else placed.set(name, pointer);
      });
    });
  }

  if (isObj(layout.fields)) {
    for (const [name, field] of Object.entries(layout.fields)) {
      const pointer = `/layout/fields/${pointerSegment(name)}`;
      if (!has(name)) {
        errors.push({ pointer, code: 'unknown_field', message: missing(name) });
        continue;
      }
      if (isObj(field) && typeof field.widget === 'string') {
        const problem = widgetProblem(field.widget, properties?.[name]);
        if (problem) errors.push({ pointer: `${pointer}/widget`, code: 'widget_mismatch', message: problem });
      }
    }
  }

  if (Array.isArray(doc.actions)) {
    const ids = new Map<string, number>();
    doc.actions.forEach((action, i) => {
      if (!isObj(action)) return;
      if (typeof action.id === 'string') {
        const first = ids.get(action.id);
        if (first !== undefined) {
          errors.push({
            pointer: `/actions/${i}/id`,
            code: 'duplicate_action_id',
            message: `action id "${action.id}" is already used by /actions/${first}`,
          });
        } else ids.set(action.id, i);
      }
      if (Array.isArray(action.requires)) {
        action.requires.forEach((name, j) => {
          if (typeof name === 'string' && !has(name)) {
            errors.push({ pointer: `/actions/${i}/requires/${j}`, code: 'unknown_field', message: missing(name) });
          }
        });
      }
    });
  }
  return errors;
}

/**
 * Every problem of a UI component document (pointers relative to it; empty when it may be stored): shape,
 * form_schema, and the form rules. The rules run even when the shape is wrong, so one answer lists everything.
 */
export function uiComponentErrors(doc: unknown): ValidationError[] {
  const errors: ValidationError[] = [];
  const validate = compiled();
  if (!validate(doc)) addSchemaErrors(validate.errors, '', errors, new Set());
  if (!isObj(doc)) return errors;

  const type = doc.component_type ?? 'form';
  const schema = doc.form_schema;
  let usable = false;
  if (schema !== undefined && schema !== null) {
    const problems = schemaErrors(schema, '/form_schema');
    errors.push(...problems.map((p) => ({ ...p, code: 'invalid_json_schema' })));
    usable = problems.length === 0;
  } else if (type === 'form') {
    errors.push({ pointer: '/form_schema', code: 'form_schema_required', message: 'a form needs a form_schema' });
  }
  const properties = usable && isObj(schema) && isObj(schema.properties) ? schema.properties : undefined;
  if (usable && type === 'form') {
    const objectType = isObj(schema) && (schema.type === 'object' || schema.type === undefined);
    if (!objectType || properties === undefined || Object.keys(properties).length === 0) {
      errors.push({
        pointer: '/form_schema',
        code: 'form_schema_not_object',
        message: 'a form needs an object schema with properties (`type: "object"`, `properties`)',
      });
    }
  }
  // A schema that failed its own checks has already said why: fields are not compared against it.
  if (schema !== undefined && schema !== null && !usable) return errors;
  errors.push(...formRuleErrors(doc, properties));
  return errors;
}
