/** Contract of the `resolveDefinition` activity (activities/definitions). Types only: sandbox-safe. */
import type { TaskDefinitionSnapshot, WorkflowDefinition } from '../definitions/types';

/** Input of `resolveDefinition`: pinned version or latest active. */
export interface ResolveDefinitionRequest {
  workflow_id: string;
  version?: string;
}

/** Output of `resolveDefinition`. */
export interface ResolvedDefinition {
  definition: WorkflowDefinition;
  tasks: Record<string, TaskDefinitionSnapshot>;
  definitionRowId: string;
}

/** The definition lookup activity (sub_workflow steps resolve their child with it); an engine activity. */
export interface DefinitionActivities {
  resolveDefinition(req: ResolveDefinitionRequest): Promise<ResolvedDefinition>;
}
