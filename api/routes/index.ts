/**
 * Every route of the API, in one list: the app mounts it, the OpenAPI document describes it, and the
 * authorization matrix test walks it. Add a new routes file here and it is mounted, documented and tested.
 */
import { openApiRoutes } from '../openapi/routes';
import type { RouteDefinition } from '../http/route';
import { apiKeyRoutes } from './api-keys';
import { authRoutes } from './auth';
import { bulkOperationRoutes } from './bulk-operations';
import { roleRoutes } from './auth-roles';
import { userRoutes } from './auth-users';
import { deadLetterRoutes } from './dead-letters';
import { eventDefinitionRoutes } from './event-definitions';
import { eventRoutes } from './events';
import { healthRoutes } from './health';
import { humanTaskRoutes } from './human-tasks';
import { integrationRoutes } from './integrations';
import { observabilityRoutes } from './observability';
import { scheduleRoutes } from './schedules';
import { schemaRoutes } from './schemas';
import { testRoutes } from './tests';
import { triggerRoutes } from './triggers';
import { uiComponentRoutes } from './ui-components';
import { taskDefinitionRoutes } from './task-definitions';
import { taskTestRoutes } from './task-tests';
import { workflowDefinitionRoutes } from './workflow-definitions';
import { workflowInstanceOperationRoutes } from './workflow-instance-operations';
import { workflowInstanceControlRoutes } from './workflow-instance-control';
import { workflowInstanceTimelineRoutes } from './workflow-instance-timeline';
import { workflowInstanceRoutes } from './workflow-instances';
import { workflowRunRoutes } from './workflow-runs';

let cached: RouteDefinition[] | undefined;

/** All routes (built once; the list is static). */
export function allRoutes(): RouteDefinition[] {
  cached ??= [
    ...healthRoutes,
    ...openApiRoutes(allRoutes),
    ...schemaRoutes,
    ...authRoutes,
    ...userRoutes,
    ...roleRoutes,
    ...apiKeyRoutes,
    ...uiComponentRoutes,
    ...integrationRoutes,
    ...observabilityRoutes,
    ...testRoutes,
    ...eventDefinitionRoutes,
    ...eventRoutes,
    ...triggerRoutes,
    ...deadLetterRoutes,
    ...workflowDefinitionRoutes,
    ...workflowRunRoutes,
    ...taskDefinitionRoutes,
    ...taskTestRoutes,
    ...workflowInstanceRoutes,
    ...workflowInstanceTimelineRoutes,
    ...workflowInstanceOperationRoutes,
    ...workflowInstanceControlRoutes,
    ...humanTaskRoutes,
    ...bulkOperationRoutes,
    ...scheduleRoutes,
  ];
  return cached;
}
