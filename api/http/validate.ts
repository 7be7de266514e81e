/** Request validation: each route's params, query and body schemas compiled once with the shared Ajv. */
import type { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { AppError, type FieldError } from '../../common/errors';
import { ajv, toFieldErrors } from '../../common/ajv';
import type { JsonSchema, RouteDefinition } from './route';

// Query strings and path params arrive as strings: this instance coerces them ("10" -> 10) and applies defaults.
const coercing = new Ajv2020({ allErrors: true, strict: false, coerceTypes: 'array', useDefaults: true });
addFormats(coercing);

type Part = 'params' | 'query' | 'body';

/** Compiled validators of one route. */
export type RouteValidators = Partial<Record<Part, ValidateFunction>>;

/** Compiles a route's schemas (at mount time, never per request). */
export function compileRoute(route: RouteDefinition): RouteValidators {
  const compile = (schema: JsonSchema | undefined, instance: Ajv2020) => {
    if (!schema) return undefined;
    const id = schema.$id as string | undefined;
    return (id && instance.getSchema(id)) || instance.compile(schema);
  };
  // Bodies are JSON and use the shared instance without coercion, so `"5"` stays a string and fails an integer schema.
  return { params: compile(route.params, coercing), query: compile(route.query, coercing), body: compile(route.body, ajv) };
}

/** Validates (and coerces) the request parts in place; throws one 400/422 listing every error. */
export function validateRequest(v: RouteValidators, input: Record<Part, unknown>): void {
  const errors: FieldError[] = [];
  for (const part of ['params', 'query', 'body'] as const) {
    const fn = v[part];
    if (fn && !fn(input[part])) errors.push(...toFieldErrors(fn.errors, `/${part}`));
  }
  if (errors.length === 0) return;
  const onlyBody = errors.every((e) => e.pointer.startsWith('/body'));
  throw onlyBody ? AppError.unprocessable('Request body is invalid', errors) : AppError.badRequest('Request is invalid', errors);
}
