/**
 * The console's form validator: an rjsf `ValidatorType` over @cfworker/json-schema, which interprets a JSON
 * Schema instead of generating code from it. rjsf's default validator (Ajv) compiles every schema with
 * `new Function`, which a Content-Security-Policy without 'unsafe-eval' forbids; with this one the console's page
 * keeps the API's strict policy (api/http/console.ts).
 *
 * - Draft 2020-12, as the server checks a submission (Ajv2020, services/human-tasks/submission-check.ts).
 * - The data is checked as the server receives it: JSON (properties rjsf left `undefined` are absent).
 * - Every error at once, in Ajv's words (what the server's 422 says), on its field: a missing `required` property
 *   on that property, any other error where the failing value is; wrapper reports ("property x does not match",
 *   "a subschema had errors") are dropped, duplicates too.
 * - The server stays the authority: a schema this validator cannot interpret (an unresolvable `$ref`, a pattern
 *   the browser's RegExp refuses) gives no error in the browser (a warning in the console) and the server
 *   answers the submission.
 *
 * Pure TypeScript (no React): unit-tested in validator.test.ts.
 */
import { dereference, validate as interpret, type OutputUnit, type Schema } from '@cfworker/json-schema';
import {
  createErrorHandler,
  ErrorSchemaBuilder,
  getDefaultFormState,
  getUiOptions,
  ROOT_SCHEMA_PREFIX,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
  withIdRefPrefix,
  type CustomValidator,
  type ErrorSchema,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
} from '@rjsf/utils';

/** The draft the platform's user schemas are (common/json-schema/user-schemas.ts). */
const DRAFT = '2020-12';

type Lookup = Record<string, Schema | boolean>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A schema ready to interpret: a private copy (dereferencing annotates it) and its `$ref` lookup. */
interface Prepared {
  schema: Schema | boolean;
  lookup: Lookup;
}

/** One error located in the data: `path` segments from the root of the form data. */
export interface LocatedError {
  path: string[];
  keyword: string;
  message: string;
  params: Record<string, unknown>;
  schemaPath: string;
}

/**
 * The value as JSON: what the server would receive (undefined properties dropped, undefined array items null).
 * `undefined` itself, which no JSON Schema type accepts, becomes `null`.
 */
export function asJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

const copy = <T>(schema: T): T => JSON.parse(JSON.stringify(schema)) as T;

/** The segments of a JSON pointer in URI-fragment form (`#/a/b~1c`, percent-encoded), decoded. */
export function pointerSegments(fragment: string): string[] {
  const body = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (body === '') return [];
  return body
    .split('/')
    .slice(1)
    .map((s) => {
      let token = s;
      try {
        token = decodeURIComponent(s);
      } catch {
        // not percent-encoded after all: keep it as it is
      }
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** The value at `path` in `data` (own properties only). */
function valueAt(data: Json, path: string[]): Json | undefined {
  let node: Json | undefined = data;
  for (const token of path) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, token)) return;
    node = (node as Record<string, Json>)[token];
  }
  return node;
}

/** The schema node a keyword location names, following `$ref`s through the lookup (undefined when lost). */
function keywordValue(schema: Schema | boolean, lookup: Lookup, location: string): unknown {
  let node: unknown = schema;
  for (const token of pointerSegments(location)) {
    if (node === null || typeof node !== 'object') return undefined;
    if (token === '$ref' || token === '$recursiveRef') {
      const s = node as Schema;
      const uri = token === '$ref' ? s.__absolute_ref__ : s.__absolute_recursive_ref__;
      node = uri === undefined ? undefined : lookup[uri];
      continue;
    }
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

/** Reports that only say "something below failed": their causes are reported themselves. */
const WRAPPERS = new Set([
  '$ref',
  '$recursiveRef',
  'properties',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
  'allOf',
  'if',
  'dependentSchemas',
  'propertyNames',
]);

const quote = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Ajv's message for a keyword (the server's words), given the keyword's value in the schema. */
function message(keyword: string, value: unknown, fallback: string): string {
  switch (keyword) {
    case 'type':
      return `must be ${Array.isArray(value) ? value.join(',') : String(value)}`;
    case 'minLength':
      return `must NOT have fewer than ${String(value)} characters`;
    case 'maxLength':
      return `must NOT have more than ${String(value)} characters`;
    case 'minimum':
      return `must be >= ${String(value)}`;
    case 'maximum':
      return `must be <= ${String(value)}`;
    case 'exclusiveMinimum':
      return `must be > ${String(value)}`;
    case 'exclusiveMaximum':
      return `must be < ${String(value)}`;
    case 'multipleOf':
      return `must be multiple of ${String(value)}`;
    case 'enum':
      return Array.isArray(value) && value.length > 0 && value.length <= 10
        ? `must be one of ${value.map(quote).join(', ')}`
        : 'must be equal to one of the allowed values';
    case 'const':
      return value === undefined ? 'must be equal to constant' : `must be ${quote(value)}`;
    case 'pattern':
      return typeof value === 'string' ? `must match pattern "${value}"` : 'must match the expected pattern';
    case 'format':
      return typeof value === 'string' ? `must match format "${value}"` : 'must match its format';
    case 'minItems':
      return `must NOT have fewer than ${String(value)} items`;
    case 'maxItems':
      return `must NOT have more than ${String(value)} items`;
    case 'uniqueItems':
      return 'must NOT have duplicate items';
    case 'minProperties':
      return `must NOT have fewer than ${String(value)} properties`;
    case 'maxProperties':
      return `must NOT have more than ${String(value)} properties`;
    case 'contains':
      return 'must contain at least 1 valid item';
    case 'minContains':
      return `must contain at least ${String(value)} valid items`;
    case 'maxContains':
      return `must contain at most ${String(value)} valid items`;
    case 'not':
      return 'must NOT be valid';
    case 'anyOf':
      return 'must match a schema in anyOf';
    case 'oneOf':
      return 'must match exactly one schema in oneOf';
    case 'false':
      return 'is not allowed';
    default:
      return fallback;
  }
}

/**
 * The interpreter's output units as errors on the data: wrappers dropped, `required` (and `dependentRequired`)
 * moved onto each missing property, messages in Ajv's words, duplicates dropped. `data` is the JSON that was
 * validated, `prepared` what it was validated against.
 */
export function locateErrors(units: OutputUnit[], data: Json, prepared: Prepared): LocatedError[] {
  const out: LocatedError[] = [];
  const seen = new Set<string>();
  const add = (e: LocatedError) => {
    const key = `${JSON.stringify(e.path)}\u0000${e.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(e);
  };
  for (const unit of units) {
    if (WRAPPERS.has(unit.keyword)) continue;
    if (unit.keyword === 'dependencies' && !/ but does not have "/.test(unit.error)) continue; // schema form: a wrapper
    const path = pointerSegments(unit.instanceLocation);
    const schemaPath = unit.keywordLocation;
    if (unit.keyword === 'required') {
      const required = keywordValue(prepared.schema, prepared.lookup, schemaPath);
      const at = valueAt(data, path);
      const missing =
        Array.isArray(required) && at !== null && typeof at === 'object' && !Array.isArray(at)
          ? required.filter((k): k is string => typeof k === 'string' && !Object.prototype.hasOwnProperty.call(at, k))
          : [/required property "(.*)"\.$/s.exec(unit.error)?.[1]].filter((k): k is string => k !== undefined);
      for (const property of missing)
        add({
          path: [...path, property],
          keyword: 'required',
          message: 'is required',
          params: { missingProperty: property },
          schemaPath,
        });
      if (missing.length === 0) add({ path, keyword: 'required', message: unit.error, params: {}, schemaPath });
      continue;
    }
    const dependent = /^Instance has "(.*)" but does not have "(.*)"\.$/s.exec(unit.error);
    if (dependent && (unit.keyword === 'dependentRequired' || unit.keyword === 'dependencies')) {
      const [, property, missing] = dependent as unknown as [string, string, string];
      add({
        path: [...path, missing],
        keyword: unit.keyword,
        message: `is required when ${property} is present`,
        params: { property, missingProperty: missing },
        schemaPath,
      });
      continue;
    }
    const value = keywordValue(prepared.schema, prepared.lookup, schemaPath);
    const limit = unit.keyword === 'false' ? undefined : value;
    add({
      path,
      keyword: unit.keyword,
      message: message(unit.keyword, value, unit.error),
      params: limit === undefined ? {} : { [unit.keyword]: limit },
      schemaPath,
    });
  }
  return out;
}

/** The label of the field at `path`: its uiSchema title, else its schema title, else its path. */
export function fieldLabel(path: string[], schema: unknown, uiSchema: UiSchema | undefined): string {
  let ui: unknown = uiSchema;
  let node: unknown = schema;
  for (const token of path) {
    ui = ui !== null && typeof ui === 'object' ? (ui as Record<string, unknown>)[token] : undefined;
    const s = node !== null && typeof node === 'object' ? (node as Schema) : undefined;
    node = s?.properties?.[token] ?? (/^\d+$/.test(token) && s?.items && !Array.isArray(s.items) ? s.items : undefined);
  }
  const uiTitle = getUiOptions(ui !== null && typeof ui === 'object' ? (ui as UiSchema) : {}).title;
  const schemaTitle = node !== null && typeof node === 'object' ? (node as Schema).title : undefined;
  return uiTitle ?? (typeof schemaTitle === 'string' ? schemaTitle : path.join('.'));
}

/** Located errors as rjsf's error list (`property` in rjsf's dotted form, `stack` with the field's label). */
export function toRjsfErrors(errors: LocatedError[], schema: unknown, uiSchema?: UiSchema): RJSFValidationError[] {
  return errors.map((e) => {
    const title = e.path.length > 0 ? fieldLabel(e.path, schema, uiSchema) : '';
    return {
      name: e.keyword,
      property: `.${e.path.join('.')}`,
      message: e.message,
      params: e.params,
      stack: title ? `${title} ${e.message}` : e.message,
      schemaPath: e.schemaPath,
      title,
    };
  });
}

/** rjsf's `ValidatorType` over @cfworker/json-schema (see the module comment). */
export class InterpretingValidator<T = unknown> implements ValidatorType<T, RJSFSchema> {
  /** Prepared root schemas, by identity (rjsf passes the same object while the form's schema does not change). */
  private roots = new WeakMap<object, Prepared>();
  /** The same root schemas registered under rjsf's root id, for `isValid`'s `$ref`s into the root. */
  private refRoots = new WeakMap<object, Lookup>();

  /** The root schema ready to interpret (its own `$id` kept: its `$ref`s resolve against it). */
  private prepare(schema: RJSFSchema): Prepared {
    let prepared = this.roots.get(schema);
    if (!prepared) {
      const own = copy(schema) as Schema;
      prepared = { schema: own, lookup: dereference(own) };
      this.roots.set(schema, prepared);
    }
    return prepared;
  }

  /** The lookup holding the root schema as `ROOT_SCHEMA_PREFIX` (where `withIdRefPrefix` points `#` refs). */
  private rootLookup(rootSchema: RJSFSchema): Lookup {
    let lookup = this.refRoots.get(rootSchema);
    if (!lookup) {
      lookup = dereference({ ...(copy(rootSchema) as Schema), $id: ROOT_SCHEMA_PREFIX });
      this.refRoots.set(rootSchema, lookup);
    }
    return lookup;
  }

  /** The interpreter's output for `formData` against `schema`, or the error that stopped it. */
  rawValidation<Result = OutputUnit>(schema: RJSFSchema, formData?: T): { errors?: Result[]; validationError?: Error } {
    try {
      const { schema: own, lookup } = this.prepare(schema);
      const result = interpret(asJson(formData), own, DRAFT, lookup, false);
      return { errors: result.valid ? undefined : (result.errors as Result[]) };
    } catch (err) {
      return { validationError: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  validateFormData(
    formData: T | undefined,
    schema: RJSFSchema,
    customValidate?: CustomValidator<T, RJSFSchema>,
    transformErrors?: ErrorTransformer<T, RJSFSchema>,
    uiSchema?: UiSchema<T, RJSFSchema>,
  ): ValidationData<T> {
    const raw = this.rawValidation<OutputUnit>(schema, formData);
    if (raw.validationError)
      console.warn(
        'The form schema could not be checked in the browser; the server will check it.',
        raw.validationError,
      );
    const located = raw.errors ? locateErrors(raw.errors, asJson(formData), this.prepare(schema)) : [];
    let errors = toRjsfErrors(located, schema, uiSchema as UiSchema);
    let errorSchema: ErrorSchema<T>;
    if (typeof transformErrors === 'function') {
      errors = transformErrors(errors, uiSchema);
      errorSchema = toErrorSchema<T>(errors);
    } else {
      // Built from the path segments, not from `property`: a field name may contain a dot.
      const builder = new ErrorSchemaBuilder<T>();
      for (const e of located) builder.addErrors(e.message, e.path);
      errorSchema = builder.ErrorSchema;
    }
    if (typeof customValidate !== 'function') return { errors, errorSchema };
    // As rjsf's own validators do: custom validation sees the form data with its defaults filled in.
    const withDefaults = getDefaultFormState<T, RJSFSchema>(this, schema, formData, schema, true) as T;
    const handler = customValidate(withDefaults, createErrorHandler<T>(withDefaults), uiSchema, errorSchema);
    return validationDataMerge<T>({ errors, errorSchema }, unwrapErrorHandler<T>(handler));
  }

  isValid(schema: RJSFSchema, formData: T | undefined, rootSchema: RJSFSchema): boolean {
    try {
      // `#` refs of the subschema point into the root schema, registered under ROOT_SCHEMA_PREFIX.
      const lookup: Lookup = Object.assign(Object.create(null) as Lookup, this.rootLookup(rootSchema));
      const own = copy(withIdRefPrefix(schema)) as Schema;
      delete own.$id;
      dereference(own, lookup);
      return interpret(asJson(formData), own, DRAFT, lookup, true).valid;
    } catch (err) {
      console.warn('A form subschema could not be checked in the browser.', err);
      return false;
    }
  }

  reset(): void {
    this.roots = new WeakMap();
    this.refRoots = new WeakMap();
  }
}

/** The validator the console's forms use. */
export const validator = new InterpretingValidator();
