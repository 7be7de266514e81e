/**
 * The checks of an operation imported from an OpenAPI document: the task input (its parameters and body) before
 * the call, and, when the task asks (`validate_response`), the response body against the document's schema for
 * the status (exact code, then its class `2XX`, then `default`; no schema = nothing to check). Both fail with a
 * non-retryable `SchemaViolation` listing every field at fault (`/input/...`, `/response/body/...`).
 */
import { toFieldErrors } from '../../../common/ajv';
import { FailureType } from '../../../common/errors';
import { cachedUserSchema } from '../../../common/json-schema/user-schemas';
import type { OpenApiOperationInfo } from '../../../common/openapi/import';
import { nonRetryable } from '../failures';
import type { HttpResponse } from './http';

function check(key: string, schema: object, value: unknown, prefix: string, what: string, where: string): void {
  let validate;
  try {
    validate = cachedUserSchema(key, schema);
  } catch (err) {
    throw nonRetryable(
      FailureType.BadTaskConfig,
      `${where}: the OpenAPI ${what} schema is unusable: ${(err as Error).message}`,
    );
  }
  if (validate(value)) return;
  const errors = toFieldErrors(validate.errors, prefix);
  const list = errors.map((e) => `${e.pointer} ${e.message}`).join('; ');
  throw nonRetryable(
    FailureType.SchemaViolation,
    `${where}: the ${what} does not match the OpenAPI document: ${list}`,
    {
      errors,
    },
  );
}

/** Refuses an input whose parameters or body do not match the operation (required ones missing, wrong types). */
export function checkOpenApiInput(op: OpenApiOperationInfo, input: unknown, where: string): void {
  check(`openapi:${op.operation_id} ${op.method} ${op.path}#input`, op.input_schema, input, '/input', 'input', where);
}

/** The schema documented for `status`, if any. */
export function responseSchemaFor(op: OpenApiOperationInfo, status: number): object | undefined {
  const { responses } = op;
  return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.DEFAULT;
}

/** Refuses a response body that does not match the schema documented for its status. */
export function checkOpenApiResponse(op: OpenApiOperationInfo, response: HttpResponse, where: string): void {
  const schema = responseSchemaFor(op, response.status);
  if (schema === undefined) return;
  check(
    `openapi:${op.operation_id} ${op.method} ${op.path}#${response.status}`,
    schema,
    response.body,
    '/response/body',
    `response (status ${response.status})`,
    where,
  );
}
