/**
 * testing_framework_service: test definitions (./test-definitions.ts) and test runs with their per-case results
 * (./test-runs.ts).
 */
import type { RouteDefinition } from '../http/route';
import { testDefinitionRoutes } from './test-definitions';
import { testRunRoutes } from './test-runs';

/** `/test-definitions` and `/test-runs` routes. */
export const testRoutes: RouteDefinition[] = [...testDefinitionRoutes, ...testRunRoutes];
