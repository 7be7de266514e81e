/**
 * Workflow definitions lifecycle: draft -> active -> deprecated. An active version is immutable (a change
 * is a new version); several versions may be active at once and new runs take the highest active one
 * unless they pin a version. Activating deprecates nothing automatically: retire old versions explicitly.
 */
import { createHash } from 'node:crypto';
import { onFailureWorkflowRef } from '../../common/definitions/semantics';
import type { ValidationError } from '../../common/definitions/validate';
import type { Db } from '../../db/repositories/sql';
import { taskDefinitions } from '../../db/repositories/task-definitions';
import {
  workflowDefinitions,
  type WorkflowDefinitionInsert,
  type WorkflowDefinitionRow,
} from '../../db/repositories/workflow-definitions';
import { invalidDefinition } from './errors';
import { resolveTasks } from './resolve';
import { collectTaskRefs } from './task-refs';
import { versioned, type Actor, type Precondition } from './versioned';
import { validateWorkflowDefinitionOffThread } from '../validation';

/** The shared lifecycle steps, for workflow definitions. */
export const workflowVersions = versioned({
  label: 'Workflow definition',
  businessId: 'workflow_id',
  repository: workflowDefinitions,
  current: 'highest',
});

type Options = Actor & { precondition?: Precondition<WorkflowDefinitionRow> };

/** Full validation (in a validation thread): schema, semantics, and task references checked against task_definitions. */
export async function checkWorkflowDefinition(db: Db, doc: unknown): Promise<ValidationError[]> {
  const refs = doc && typeof doc === 'object' ? collectTaskRefs((doc as { steps?: unknown }).steps) : [];
  const ids = [...new Set(refs.map((r) => r.taskId))];
  const [rows, manual] = await Promise.all([taskDefinitions.versionKeys(db, ids), taskDefinitions.manualRefs(db, ids)]);
  const known = new Set(rows.flatMap((r) => [r.businessId, `${r.businessId}@${r.version}`]));
  const [errors, handler] = await Promise.all([
    validateWorkflowDefinitionOffThread(doc, known, manual),
    onFailureHandlerErrors(db, doc),
  ]);
  return [...errors, ...handler];
}

/**
 * `on_failure` of type sub_workflow names a stored definition (the pinned version, if any): it must exist when the
 * definition is saved (any status; the run resolves the active version when it fails). A definition may name itself.
 */
async function onFailureHandlerErrors(db: Db, doc: unknown): Promise<ValidationError[]> {
  const ref = onFailureWorkflowRef(doc);
  if (!ref || ref.workflow === (doc as { workflow_id?: unknown }).workflow_id) return [];
  const versions = await workflowDefinitions.versionKeys(db, [ref.workflow]);
  if (versions.length === 0)
    return [
      {
        pointer: '/on_failure/workflow',
        code: 'unknown_workflow',
        message: `workflow definition "${ref.workflow}" does not exist`,
      },
    ];
  if (ref.version !== undefined && !versions.some((v) => v.version === ref.version))
    return [
      {
        pointer: '/on_failure/version',
        code: 'unknown_workflow_version',
        message: `workflow definition "${ref.workflow}" has no version ${ref.version}`,
      },
    ];
  return [];
}

async function validate(db: Db, doc: unknown): Promise<void> {
  const errors = await checkWorkflowDefinition(db, doc);
  if (errors.length > 0) throw invalidDefinition('Workflow definition', errors);
}

function toInsert(doc: Record<string, unknown>, errors: ValidationError[], actor?: string): WorkflowDefinitionInsert {
  return {
    workflow_id: doc.workflow_id as string,
    version: doc.version as string,
    name: doc.name as string,
    description: (doc.description as string | undefined) ?? null,
    definition: doc,
    input_schema: (doc.input_schema as object | undefined) ?? null,
    output_schema: (doc.output_schema as object | undefined) ?? null,
    checksum: createHash('sha256').update(JSON.stringify(doc)).digest('hex'),
    validation_errors: errors,
    validated_at: new Date(),
    created_by: actor ?? null,
    updated_by: actor ?? null,
  };
}

/** Creates a version as a draft. 422 with every validation error (nothing written); 409 when it exists. */
export async function createWorkflowDefinition(
  db: Db,
  doc: unknown,
  { actor }: Actor = {},
): Promise<WorkflowDefinitionRow> {
  await validate(db, doc);
  return workflowVersions.insert(db, toInsert(doc as Record<string, unknown>, [], actor));
}

/** A version, or 404. */
export function getWorkflowDefinitionVersion(
  db: Db,
  workflowId: string,
  version: string,
): Promise<WorkflowDefinitionRow> {
  return workflowVersions.getVersion(db, workflowId, version);
}

/** Every version of a definition, oldest first; 404 when there is none. */
export function listWorkflowDefinitionVersions(db: Db, workflowId: string): Promise<WorkflowDefinitionRow[]> {
  return workflowVersions.listVersions(db, workflowId);
}

/** Replaces a draft's document. 409 once active or deprecated: those versions are immutable. */
export function updateWorkflowDraft(
  db: Db,
  workflowId: string,
  version: string,
  doc: unknown,
  { actor, precondition }: Options = {},
): Promise<WorkflowDefinitionRow> {
  return workflowVersions.replaceDraft(db, workflowId, version, doc, {
    actor,
    precondition,
    validate: (d) => validate(db, d),
    immutableFirst: true,
    mismatch: `must be ${version} (workflow_id ${workflowId})`,
    values: (d, by) => {
      const { created_by: _c, ...values } = toInsert(d, [], by);
      return values;
    },
  });
}

/** Activates a version after checking that every task it references can be resolved now. */
export function activateWorkflowDefinition(
  db: Db,
  workflowId: string,
  version: string,
  { actor, precondition }: Options = {},
): Promise<WorkflowDefinitionRow> {
  return workflowVersions.move(db, workflowId, version, 'active', {
    actor,
    precondition,
    before: async (current) => void (await resolveTasks(db, current.definition as { steps: never[] })),
    refused: (from) => `cannot be activated from ${from}`,
  });
}

/** Deprecates a version: running runs continue, new unpinned starts stop choosing it. */
export function deprecateWorkflowDefinition(
  db: Db,
  workflowId: string,
  version: string,
  { actor, precondition }: Options = {},
): Promise<WorkflowDefinitionRow> {
  return workflowVersions.move(db, workflowId, version, 'deprecated', {
    actor,
    precondition,
    refused: (from) => `cannot be deprecated from ${from}`,
  });
}

/** The API view of a version: the document plus lifecycle fields. */
export function workflowDefinitionView(row: WorkflowDefinitionRow): Record<string, unknown> {
  return {
    id: row.id,
    workflow_id: row.workflow_id,
    version: row.version,
    name: row.name,
    description: row.description,
    status: row.status,
    definition: row.definition,
    checksum: row.checksum,
    activated_at: row.activated_at,
    deprecated_at: row.deprecated_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
  };
}
