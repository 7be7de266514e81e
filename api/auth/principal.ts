/** Who is calling: set on `res.locals.principal` by the authorizer, read by handlers. */
import type { Response } from 'express';
import { AppError } from '../../common/errors';
import { grants } from './permissions';

/** An authenticated caller and what they may do. */
export interface Principal {
  userId: string;
  username: string;
  permissions: ReadonlySet<string>;
  /** How they authenticated; `apiKeyId` is set for API keys. */
  via: 'token' | 'api_key';
  apiKeyId?: string;
}

/** The caller of this request; throws 401 when the route was public and nobody authenticated. */
export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new AppError(401, 'Unauthorized', 'Authentication required');
  return p;
}

/** True when the caller holds `permission` (directly or through `*`). */
export function can(p: Principal, permission: string): boolean {
  return grants(p.permissions, permission);
}

/** The caller as the control history records it (services/runs/control-history.ts). */
export function actorOf(res: Response): { username: string; userId: string } {
  const p = principalOf(res);
  return { username: p.username, userId: p.userId };
}
