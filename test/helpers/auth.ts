/**
 * Callers for tests of protected routes: a user holding exactly the given permissions (through a
 * throwaway role), with an access token and an API key.
 *
 *   const caller = await createTestCaller(api.deps, ['workflow_definitions:write']);
 *   await request(api.app).post('/api/v1/...').set(caller.bearer).send(...);
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ApiDeps } from '../../api/deps';
import { splitPermission } from '../../api/auth/permissions';
import { newApiKey, randomSecret, sha256, signAccessToken } from '../../services/auth/tokens';
import { insertApiKey, insertRefreshToken } from '../../db/repositories/auth-credentials';
import { ensurePermissions, saveRole } from '../../db/repositories/auth-roles';
import { insertUser, setUserRoles } from '../../db/repositories/auth-users';

/** A test user with credentials. */
export interface TestCaller {
  userId: string;
  username: string;
  token: string;
  /** The login session (refresh-token family) the access token belongs to. */
  sessionId: string;
  apiKey: string;
  /** `{ Authorization: 'Bearer <token>' }` */
  bearer: Record<string, string>;
  /** `{ 'X-API-Key': '<key>' }` */
  keyHeader: Record<string, string>;
}

/** Creates a user whose only role grants `permissions` (`['*']` for everything). */
export async function createTestCaller(
  deps: Pick<ApiDeps, 'db' | 'config'>,
  permissions: string[],
  name = 'caller',
): Promise<TestCaller> {
  const suffix = randomBytes(4).toString('hex');
  const username = `test-${name}-${suffix}`.slice(0, 255);
  await ensurePermissions(
    deps.db,
    permissions.map((p) => ({ permission_id: p, ...splitPermission(p) })),
  );
  const roleId = `test-${suffix}`;
  await saveRole(deps.db, { role_id: roleId, name: `Test role ${suffix}`, permissions }, true);
  const userId = await insertUser(deps.db, { username, display_name: name });
  await setUserRoles(deps.db, userId, [roleId]);
  const key = newApiKey();
  await insertApiKey(deps.db, {
    prefix: key.prefix,
    key_hash: key.hash,
    name: `test key ${suffix}`,
    user_id: userId,
    scopes: null,
    expires_at: null,
  });
  // Access tokens belong to a login session: open one, as a login does.
  const sessionId = randomUUID();
  await insertRefreshToken(deps.db, {
    user_id: userId,
    token_hash: sha256(randomSecret()),
    family_id: sessionId,
    expires_at: new Date(Date.now() + 86_400_000),
  });
  const { token } = await signAccessToken(deps.config, userId, username, sessionId);
  return {
    userId,
    username,
    token,
    sessionId,
    apiKey: key.key,
    bearer: { Authorization: `Bearer ${token}` },
    keyHeader: { 'X-API-Key': key.key },
  };
}
