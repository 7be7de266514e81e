/**
 * Credentials of an integration instance, decrypted only here (inside the activity) and turned into the
 * request headers its definition's auth_type asks for. Nothing in this file logs or echoes a secret:
 * failure messages name the missing field, never its value.
 */
import type { Knex } from 'knex';
import type { CredentialsCipher } from '../../../common/credentials-cipher';
import { FailureType } from '../../../common/errors';
import { getInstanceCredentials } from '../../../db/repositories/integration-instances';
import { nonRetryable } from '../failures';
import type { IntegrationTarget } from './target';

/** Failure type of an OAuth2 access token past credentials_expires_at (non-retryable: a retry sends the same token). */
export const CredentialsExpired = FailureType.CredentialsExpired;

type Secrets = Record<string, unknown>;

async function decrypt(
  db: Knex,
  cipher: CredentialsCipher | undefined,
  target: IntegrationTarget,
  where: string,
): Promise<Secrets> {
  const stored = target.hasCredentials ? await getInstanceCredentials(db, target.rowId) : undefined;
  if (!stored?.credentials)
    throw nonRetryable(
      FailureType.BadTaskConfig,
      `${where}: integration instance "${target.instanceId}" has no credentials (auth_type ${target.authType})`,
    );
  if (!cipher) throw nonRetryable(FailureType.BadTaskConfig, `${where}: this worker has no CREDENTIALS_ENCRYPTION_KEY`);
  try {
    const value = cipher.decrypt(stored.credentials, target.rowId);
    if (value && typeof value === 'object') return value as Secrets;
  } catch {
    // The crypto error says nothing useful; the key ids do (rotation without re-encryption).
  }
  throw nonRetryable(
    FailureType.BadTaskConfig,
    `${where}: credentials of integration instance "${target.instanceId}" cannot be decrypted (stored key ${stored.credentials_key_id ?? 'unknown'}, worker key ${cipher.keyId})`,
  );
}

function field(secrets: Secrets, name: string, target: IntegrationTarget, where: string): string {
  const v = secrets[name];
  if (typeof v !== 'string' || v === '')
    throw nonRetryable(
      FailureType.BadTaskConfig,
      `${where}: credentials of integration instance "${target.instanceId}" lack "${name}" (auth_type ${target.authType})`,
    );
  return v;
}

/** The auth headers for `target` (empty for auth_type none). */
export async function authHeaders(
  db: Knex,
  cipher: CredentialsCipher | undefined,
  target: IntegrationTarget,
  where: string,
): Promise<Record<string, string>> {
  switch (target.authType) {
    case 'none':
      return {};
    case 'api_key': {
      const secrets = await decrypt(db, cipher, target, where);
      const configured = target.config.api_key_header;
      const header =
        typeof configured === 'string' && configured ? configured : (target.definitionApiKeyHeader ?? 'X-API-Key');
      return { [header]: field(secrets, 'api_key', target, where) };
    }
    case 'basic': {
      const secrets = await decrypt(db, cipher, target, where);
      const pair = `${field(secrets, 'username', target, where)}:${typeof secrets.password === 'string' ? secrets.password : ''}`;
      return { authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
    }
    case 'oauth2':
    case 'bearer': {
      if (target.credentialsExpiresAt && target.credentialsExpiresAt.getTime() <= Date.now()) {
        throw nonRetryable(
          CredentialsExpired,
          `${where}: the access token of integration instance "${target.instanceId}" expired at ${target.credentialsExpiresAt.toISOString()}`,
        );
      }
      const secrets = await decrypt(db, cipher, target, where);
      return { authorization: `Bearer ${field(secrets, 'access_token', target, where)}` };
    }
    default:
      throw nonRetryable(FailureType.BadTaskConfig, `${where}: unsupported auth_type "${target.authType}"`);
  }
}
