/** The logged-in user (GET /auth/me): username, roles and effective permissions, shared through context. */
import { createContext, useContext } from 'react';

/** What /auth/me answers (the fields the console uses). */
export interface Me {
  id: string;
  username: string;
  display_name?: string | null;
  roles: string[];
  permissions: string[];
}

export const MeContext = createContext<Me | null>(null);

/** The current user (inside the logged-in shell). */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the logged-in shell');
  return me;
}

/** Whether `me` holds `permission` (`*` grants everything, `resource:*` every action on the resource). */
export function can(me: Pick<Me, 'permissions'>, permission: string): boolean {
  const [resource] = permission.split(':');
  return me.permissions.some((p) => p === '*' || p === permission || p === `${resource}:*`);
}
