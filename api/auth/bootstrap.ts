/**
 * First-start setup: the permission catalogue gets every permission the routes declare, and the
 * bootstrap admin from config is created once. Both are idempotent, so every start may run them.
 */
import { ensurePermissions } from '../../db/repositories/auth-roles';
import { grantRole, insertUser, lockBootstrapAdmin, userExists } from '../../db/repositories/auth-users';
import type { ApiDeps } from '../deps';
import type { RouteDefinition } from '../http/route';
import { hashPassword } from '../../services/auth/passwords';
import { AUTHENTICATED, PERMISSIONS, splitPermission } from './permissions';

/** Adds the permissions used by `routes` (and the built-in catalogue) to auth_service.permissions. */
export async function syncPermissions(deps: Pick<ApiDeps, 'db'>, routes: RouteDefinition[]): Promise<void> {
  const ids = new Set<string>(PERMISSIONS);
  for (const r of routes) if (r.permission !== 'public' && r.permission !== AUTHENTICATED) ids.add(r.permission);
  await ensurePermissions(
    deps.db,
    [...ids].map((id) => ({ permission_id: id, ...splitPermission(id) })),
  );
}

/**
 * Creates the configured admin (role `admin`) unless a user with that username or email exists.
 * Never resets an existing password: changing it through the API must stick across restarts.
 */
export async function ensureBootstrapAdmin(
  deps: Pick<ApiDeps, 'db' | 'config' | 'logger'>,
): Promise<'created' | 'exists' | 'not-configured'> {
  const {
    authBootstrapAdminUsername: username,
    authBootstrapAdminEmail: email,
    authBootstrapAdminPassword: password,
  } = deps.config;
  if (!email || !password) return 'not-configured';
  // An advisory lock: two API processes starting together must not both create the admin.
  return deps.db.transaction(async (trx) => {
    await lockBootstrapAdmin(trx);
    if (await userExists(trx, username, email)) return 'exists';
    const id = await insertUser(trx, {
      username,
      email,
      display_name: 'Administrator',
      password_hash: await hashPassword(password),
    });
    await grantRole(trx, id, 'admin');
    deps.logger.info({ username }, 'bootstrap admin created');
    return 'created';
  });
}
