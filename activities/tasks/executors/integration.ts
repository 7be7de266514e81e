/**
 * `integration` executor. Config: `integration` (an integration_instances.instance_id), `operation` (a name in
 * the definition's `operations`), `input` (optional template over `$input`; default the task input),
 * `validate_response` (operations imported from OpenAPI: check the response body against the document's schema).
 * The operation is an `http`-shaped request whose templates see `$input` and `$config` (the instance config);
 * the URL is the instance's `config.base_url` + the rendered `path`. The request itself goes through the http
 * executor's call (status mapping, retries on 5xx/429, timeouts, cancellation), with the auth headers added
 * after rendering so credentials never pass through a template, a log line or a failure message.
 */
import { CancelledFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import type { CredentialsCipher } from '../../../common/credentials-cipher';
import { FailureType } from '../../../common/errors';
import { describeFailure, nonRetryable } from '../failures';
import { authHeaders } from '../integration/auth';
import { loadTarget, recordUse } from '../integration/target';
import { render } from '../template';
import type { TaskExecutor } from '../types';
import { executeHttpCall, type HttpClient } from './http';
import { checkOpenApiInput, checkOpenApiResponse } from './openapi-checks';

/** What the integration executor is built from. */
export interface IntegrationExecutorDeps {
  db: Knex;
  /** Decrypts instance credentials; undefined when the worker has no key (auth_type none still works). */
  cipher?: CredentialsCipher;
  /** The egress client (egress/client.ts): every call goes through the deployment's egress policy. */
  http: HttpClient;
}

function name(value: unknown, field: string, where: string): string {
  if (typeof value !== 'string' || value === '')
    throw nonRetryable(FailureType.BadTaskConfig, `${where}: config.${field} must be a non-empty string`);
  return value;
}

/** Builds the executor over the database, the credentials cipher and an HTTP client. */
export function integrationExecutor({ db, cipher, http }: IntegrationExecutorDeps): TaskExecutor {
  return async (exec) => {
    const { task, logger } = exec;
    const where = `task ${task.task_id}@${task.version}`;
    const instanceId = name(task.config.integration, 'integration', where);
    const operationName = name(task.config.operation, 'operation', where);
    const input =
      task.config.input === undefined
        ? exec.input
        : await render(task.config.input, { input: exec.input }, `${where} config/input`);
    const target = await loadTarget(db, instanceId, operationName, where);
    const opWhere = `${where} integration ${instanceId} operation ${operationName}`;
    try {
      const baseUrl = target.config.base_url;
      if (typeof baseUrl !== 'string' || !/^https?:\/\//.test(baseUrl)) {
        throw nonRetryable(
          FailureType.BadTaskConfig,
          `${opWhere}: instance config.base_url must be an absolute http(s) URL`,
        );
      }
      const secretHeaders = await authHeaders(db, cipher, target, opWhere);
      const { name: _n, path, openapi, ...rest } = target.operation;
      if (openapi) checkOpenApiInput(openapi, input, opWhere);
      const config = { ...rest, url: path ?? '', timeout: rest.timeout ?? task.config.timeout };
      const output = await executeHttpCall(http, exec, {
        config,
        bindings: { input, config: target.config },
        where: opWhere,
        baseUrl,
        secretHeaders,
        ...(openapi &&
          task.config.validate_response === true && {
            checkResponse: (response) => checkOpenApiResponse(openapi, response, opWhere),
          }),
      });
      await recordUse(db, logger, target.rowId, null);
      return output;
    } catch (err) {
      if (!(err instanceof CancelledFailure)) {
        const { type, message } = describeFailure(err);
        await recordUse(db, logger, target.rowId, { type, message });
      }
      throw err;
    }
  };
}
