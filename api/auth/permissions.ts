/**
 * The permission catalogue and the built-in roles. Permissions are `<resource>:<action>` strings;
 * every route declares one. `*` (held by the built-in `admin` role) grants everything, including permissions
 * added later. Built-in roles (admin, operator, viewer, publisher) are seeded by migration 009.
 */

/** Every permission known when this release shipped (routes may add more; they are synced at start-up). */
export const PERMISSIONS = [
  'workflow_definitions:read',
  'workflow_definitions:write',
  'task_definitions:read',
  'task_definitions:write',
  'workflow_instances:read',
  'workflow_instances:start',
  'workflow_instances:cancel',
  'workflow_instances:terminate',
  'workflow_instances:redrive',
  'workflow_instances:pause',
  'events:publish',
  'events:read',
  'event_definitions:read',
  'event_definitions:write',
  'triggers:read',
  'triggers:write',
  'dead_letters:read',
  'dead_letters:write',
  'ui_components:read',
  'ui_components:write',
  'integrations:read',
  'integrations:write',
  'observability:read',
  'tests:read',
  'tests:write',
  'api_keys:read',
  'api_keys:write',
  'users:admin',
  'human_tasks:read',
  'human_tasks:work',
  'human_tasks:assign',
  'human_tasks:admin',
  'bulk_operations:create',
  'bulk_operations:read',
  'bulk_operations:cancel',
  'schedules:read',
  'schedules:write',
  'schedules:trigger',
] as const;

/** The wildcard permission: holds every permission. */
export const ALL_PERMISSIONS = '*';

/** Route permission meaning "any valid credentials" (own profile, own session). */
export const AUTHENTICATED = 'authenticated';

/** Splits `resource:action` (the permissions table stores both halves). */
export function splitPermission(permission: string): { resource: string; action: string } {
  const i = permission.lastIndexOf(':');
  return i < 0
    ? { resource: permission, action: '*' }
    : { resource: permission.slice(0, i), action: permission.slice(i + 1) };
}

/** True when a holder of `held` may use a route needing `needed`. */
export function grants(held: ReadonlySet<string>, needed: string): boolean {
  return held.has(ALL_PERMISSIONS) || held.has(needed);
}
