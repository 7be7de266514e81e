/** Request validation: each route's params, query and body schemas compiled once with the shared Ajv. */
import type { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { AppError, type FieldError } from '../../common/errors';
import { addPlatformFormats, ajv, toFieldErrors } from '../../common/ajv';
import { jsonSafetyErrors } from '../../common/events/json-safety';
import type { JsonSchema, RouteDefinition } from './route';

// Query strings and path params arrive as strings: this instance coerces them ("10" -> 10) and applies defaults.
const coercing = addPlatformFormats(
  new Ajv2020({ allErrors: true, strict: false, coerceTypes: 'array', useDefaults: true }),
);

type Part = 'params' | 'query' | 'body';

/**
 * Deepest nesting accepted in any request body. Far beyond any real document (a definition nests about two
 * levels per block step), and far below what would exhaust a recursive walker or PostgreSQL's jsonb parser.
 */
export const MAX_REQUEST_JSON_DEPTH = 128;

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
  return {
    params: compile(route.params, coercing),
    query: compile(route.query, coercing),
    body: compile(route.body, ajv),
  };
}

/**
 * Validates (and coerces) the request parts in place; throws one 400/422 listing every error. Every part of
 * every route is first checked for what PostgreSQL cannot store (NUL characters, unpaired surrogates) and for
 * hostile nesting, whether or not its schema looks at the value: such a request never reaches a handler.
 */
export function validateRequest(v: RouteValidators, input: Record<Part, unknown>): void {
  const unsafe = (['params', 'query', 'body'] as const).flatMap((part) =>
    jsonSafetyErrors(input[part], `/${part}`, MAX_REQUEST_JSON_DEPTH),
  );
  if (unsafe.length > 0) throw refusal(unsafe);
  const errors: FieldError[] = [];
  for (const part of ['params', 'query', 'body'] as const) {
    const fn = v[part];
    if (fn && !fn(input[part])) errors.push(...toFieldErrors(fn.errors, `/${part}`));
  }
  if (errors.length > 0) throw refusal(errors);
}

/** 422 when only the body is at fault, else 400 (a bad path or query parameter). */
function refusal(errors: FieldError[]): AppError {
  const onlyBody = errors.every((e) => e.pointer.startsWith('/body'));
  return onlyBody
    ? AppError.unprocessable('Request body is invalid', errors)
    : AppError.badRequest('Request is invalid', errors);
}
