/**
 * Integration instances: one configured connection to an external system. Config and credentials are checked
 * against the JSON Schemas of the instance's integration definition; credentials are encrypted with
 * AES-256-GCM (bound to the row id) before they reach the database and are never read back here.
 */
import { randomUUID } from 'node:crypto';
import { createCredentialsCipher } from '../common/credentials-cipher';
import { AppError, type FieldError } from '../common/errors';
import {
  deleteInstance,
  getDefinitionSchemas,
  getInstance,
  insertInstance,
  listInstances,
  updateInstance,
  type InstanceFilter,
} from '../db/repositories/integration-instances';
import type { Page, PageRequest } from '../db/repositories/keyset';
import type { Db } from '../db/repositories/sql';
import { valueErrorsOffThread } from './validation';

/** An instance as answered (never its credentials). */
export type IntegrationInstance = Record<string, unknown>;

/** Validates config/credentials against the definition; returns the columns to write (credentials encrypted). */
async function prepare(
  db: Db,
  encryptionKey: string,
  definitionId: string,
  rowId: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const def = await getDefinitionSchemas(db, definitionId);
  if (!def)
    throw AppError.unprocessable('Unknown integration definition', [
      { pointer: '/body/integration_definition_id', message: 'does not exist' },
    ]);
  const errors: FieldError[] = [];
  if (body.config !== undefined && def.config_schema != null)
    errors.push(...(await valueErrorsOffThread(def.config_schema, body.config, '/body/config')));
  if (body.credentials != null && def.credentials_schema != null)
    errors.push(...(await valueErrorsOffThread(def.credentials_schema, body.credentials, '/body/credentials')));
  if (errors.length) throw AppError.unprocessable('The integration instance is invalid', errors);
  const { credentials, ...rest } = body;
  if (credentials === undefined) return rest;
  if (credentials === null) return { ...rest, credentials: null, credentials_key_id: null };
  const cipher = createCredentialsCipher(encryptionKey);
  return { ...rest, credentials: cipher.encrypt(credentials, rowId), credentials_key_id: cipher.keyId };
}

/** A page of instances, newest first. */
export function listIntegrationInstances(
  db: Db,
  filter: InstanceFilter,
  page: PageRequest,
): Promise<Page<IntegrationInstance>> {
  return listInstances(db, filter, page);
}

/** Creates an instance owned by `ownerUserId`. */
export async function createIntegrationInstance(
  db: Db,
  encryptionKey: string,
  body: Record<string, unknown> & { integration_definition_id: string },
  ownerUserId: string,
): Promise<IntegrationInstance> {
  // The id is chosen here because the ciphertext is bound to it (AES-GCM associated data).
  const id = randomUUID();
  const values = await prepare(db, encryptionKey, body.integration_definition_id, id, body);
  return insertInstance(db, { ...values, id, owner_user_id: ownerUserId });
}

/** An instance, or 404. */
export async function getIntegrationInstance(db: Db, id: string): Promise<IntegrationInstance> {
  const row = await getInstance(db, id);
  if (!row) throw AppError.notFound(`Integration instance ${id} not found`);
  return row;
}

/** Updates config, credentials or status; 404 when missing. */
export async function updateIntegrationInstance(
  db: Db,
  encryptionKey: string,
  id: string,
  body: Record<string, unknown>,
): Promise<IntegrationInstance | undefined> {
  const current = await getIntegrationInstance(db, id);
  const values = await prepare(db, encryptionKey, String(current.integration_definition_id), id, body);
  return updateInstance(db, id, values);
}

/** Deletes an instance; 404 when missing. */
export async function deleteIntegrationInstance(db: Db, id: string): Promise<void> {
  if (!(await deleteInstance(db, id))) throw AppError.notFound(`Integration instance ${id} not found`);
}
