/** workflow_orchestrator_service.workflow_definitions: versioned workflow documents. */
import { definitionRepository, type DefinitionRowBase, type DefinitionStatus } from './definitions';

/** A row of workflow_definitions. */
export interface WorkflowDefinitionRow extends DefinitionRowBase {
  workflow_id: string;
  /** The full definition document (steps etc.), see common/definitions/types.ts. */
  definition: Record<string, unknown>;
  input_schema: Record<string, unknown> | null;
  output_schema: Record<string, unknown> | null;
  checksum: string | null;
  validation_errors: unknown[];
  validated_at: Date | null;
  activated_at: Date | null;
  deprecated_at: Date | null;
}

/** Values to insert a workflow definition version. */
export interface WorkflowDefinitionInsert {
  workflow_id: string;
  version: string;
  name: string;
  description?: string | null;
  status?: DefinitionStatus;
  definition: object;
  input_schema?: object | null;
  output_schema?: object | null;
  checksum?: string | null;
  validation_errors?: unknown[];
  validated_at?: Date | null;
  created_by?: string | null;
  updated_by?: string | null;
}

export const WORKFLOW_DEFINITIONS = 'workflow_orchestrator_service.workflow_definitions';

/** Repository of workflow definitions (business key: workflow_id + version). */
export const workflowDefinitions = definitionRepository<WorkflowDefinitionRow, WorkflowDefinitionInsert>(
  WORKFLOW_DEFINITIONS,
  'workflow_id',
);
