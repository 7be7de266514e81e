/**
 * Callers for tests of protected routes: a user holding exactly the given permissions (through a
 * throwaway role), with an access token and an API key.
 *
 *   const caller = await createTestCaller(api.deps, ['workflow_definitions:write']);
 *   await request(api.app).post('/api/v1/...').set(caller.bearer).send(...);
 */
import { randomBytes } from 'node:crypto';
import type { ApiDeps } from '../../api/deps';
import { splitPermission } from '../../api/auth/permissions';
import { newApiKey, signAccessToken } from '../../api/auth/tokens';
import { insertApiKey } from '../../db/repositories/auth-credentials';
import { ensurePermissions, saveRole } from '../../db/repositories/auth-roles';
import { insertUser, setUserRoles } from '../../db/repositories/auth-users';

/** A test user with credentials. */
export interface TestCaller {
  userId: string;
  username: string;
  token: string;
  apiKey: string;
  /** `{ Authorization: 'Bearer <token>' }` */
  bearer: Record<string, string>;
  /** `{ 'X-API-Key': '<key>' }` */
  keyHeader: Record<string, string>;
}

/** Creates a user whose only role grants `permissions` (`['*']` for everything). */
export async function createTestCaller(deps: Pick<ApiDeps, 'db' | 'config'>, permissions: string[], name = 'caller'): Promise<TestCaller> {
  const suffix = randomBytes(4).toString('hex');
  const username = `test-${name}-${suffix}`.slice(0, 255);
  await ensurePermissions(deps.db, permissions.map((p) => ({ permission_id: p, ...splitPermission(p) })));
  const roleId = `test-${suffix}`;
  await saveRole(deps.db, { role_id: roleId, name: `Test role ${suffix}`, permissions }, true);
  const userId = await insertUser(deps.db, { username, display_name: name });
  await setUserRoles(deps.db, userId, [roleId]);
  const key = newApiKey();
  await insertApiKey(deps.db, { prefix: key.prefix, key_hash: key.hash, name: `test key ${suffix}`, user_id: userId, scopes: null, expires_at: null });
  const { token } = await signAccessToken(deps.config, userId, username);
  return { userId, username, token, apiKey: key.key, bearer: { Authorization: `Bearer ${token}` }, keyHeader: { 'X-API-Key': key.key } };
}
