/**
 * What an `integration` task calls: the instance (by `instance_id`), its definition and the named operation.
 * Every problem here is non-retryable: a retry cannot create a missing instance or operation.
 */
import type { Knex } from 'knex';
import { FailureType } from '../../../common/errors';
import {
  findInstanceByInstanceId,
  getInstanceDefinition,
  updateInstance,
} from '../../../db/repositories/integration-instances';
import type { Logger } from '../../../common/logger';
import { nonRetryable } from '../failures';
import type { OpenApiOperationInfo } from '../../../common/openapi/import';

/** One entry of `integration_definitions.operations`: an `http`-shaped request over `$input` and `$config`. */
export interface IntegrationOperation {
  name: string;
  method?: string;
  path?: string;
  query?: unknown;
  headers?: unknown;
  body?: unknown;
  expected_status?: unknown;
  response?: unknown;
  timeout?: unknown;
  /** Set on operations imported from an OpenAPI document (common/openapi/import.ts). */
  openapi?: OpenApiOperationInfo;
}

/** The resolved instance, definition and operation (no credentials). */
export interface IntegrationTarget {
  /** integration_instances.id: the row id the credentials ciphertext is bound to. */
  rowId: string;
  instanceId: string;
  config: Record<string, unknown>;
  authType: string;
  /** The `default` of `api_key_header` in the definition's config_schema, if any. */
  definitionApiKeyHeader?: string;
  credentialsExpiresAt: Date | null;
  hasCredentials: boolean;
  operation: IntegrationOperation;
}

function defaultApiKeyHeader(configSchema: unknown): string | undefined {
  const prop = (configSchema as { properties?: { api_key_header?: { default?: unknown } } } | null)?.properties
    ?.api_key_header;
  return typeof prop?.default === 'string' ? prop.default : undefined;
}

/** Loads instance, definition and operation; throws NotFound / BadTaskConfig (non-retryable) with a clear message. */
export async function loadTarget(
  db: Knex,
  instanceId: string,
  operationName: string,
  where: string,
): Promise<IntegrationTarget> {
  const row = await findInstanceByInstanceId(db, instanceId);
  if (!row) throw nonRetryable(FailureType.NotFound, `${where}: integration instance "${instanceId}" does not exist`);
  if (row.status === 'disabled')
    throw nonRetryable(FailureType.BadTaskConfig, `${where}: integration instance "${instanceId}" is disabled`);
  const def = await getInstanceDefinition(db, String(row.integration_definition_id));
  if (!def)
    throw nonRetryable(
      FailureType.NotFound,
      `${where}: the definition of integration instance "${instanceId}" does not exist`,
    );
  const operations = Array.isArray(def.operations) ? (def.operations as IntegrationOperation[]) : [];
  const operation = operations.find((o) => o?.name === operationName);
  if (!operation) {
    const known = operations.map((o) => o?.name).join(', ') || 'none';
    throw nonRetryable(
      FailureType.NotFound,
      `${where}: integration ${def.integration_id}@${def.version} has no operation "${operationName}" (known: ${known})`,
    );
  }
  return {
    rowId: String(row.id),
    instanceId,
    config: (row.config ?? {}) as Record<string, unknown>,
    authType: String(def.auth_type ?? 'none'),
    definitionApiKeyHeader: defaultApiKeyHeader(def.config_schema),
    hasCredentials: row.has_credentials === true,
    credentialsExpiresAt: row.credentials_expires_at ? new Date(row.credentials_expires_at as string) : null,
    operation,
  };
}

/** Records the outcome on the instance (last_used_at, last_error); best effort: a failed write never fails the task. */
export async function recordUse(
  db: Knex,
  logger: Logger,
  rowId: string,
  error: { type: string; message: string } | null,
): Promise<void> {
  try {
    await updateInstance(db, rowId, {
      last_used_at: new Date(),
      last_error: error ? { ...error, at: new Date().toISOString() } : null,
    });
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'integration instance last_used_at update failed');
  }
}
