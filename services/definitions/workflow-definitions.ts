/**
 * Workflow definitions lifecycle: draft -> active -> deprecated. An active version is immutable (a change
 * is a new version); several versions may be active at once and new runs take the highest active one
 * unless they pin a version. Activating deprecates nothing automatically: retire old versions explicitly.
 */
import { createHash } from 'node:crypto';
import type { ValidationError } from '../../common/definitions/validate';
import { AppError } from '../../common/errors';
import type { Db } from '../../db/repositories/sql';
import { TASK_DEFINITIONS } from '../../db/repositories/task-definitions';
import { workflowDefinitions, type WorkflowDefinitionInsert, type WorkflowDefinitionRow } from '../../db/repositories/workflow-definitions';
import { invalidDefinition, isUniqueViolation } from './errors';
import { resolveTasks } from './resolve';
import { collectTaskRefs } from './task-refs';
import { validateWorkflowDefinitionOffThread } from '../validation';
import type { Actor } from './task-definitions';

/** Full validation (in a validation thread): schema, semantics, and task references checked against task_definitions. */
export async function checkWorkflowDefinition(db: Db, doc: unknown): Promise<ValidationError[]> {
  const refs = doc && typeof doc === 'object' ? collectTaskRefs((doc as { steps?: unknown }).steps) : [];
  const ids = [...new Set(refs.map((r) => r.taskId))];
  const rows: { task_id: string; version: string }[] = ids.length ? await db(TASK_DEFINITIONS).select('task_id', 'version').whereIn('task_id', ids) : [];
  const known = new Set(rows.flatMap((r) => [r.task_id, `${r.task_id}@${r.version}`]));
  return validateWorkflowDefinitionOffThread(doc, known);
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
export async function createWorkflowDefinition(db: Db, doc: unknown, { actor }: Actor = {}): Promise<WorkflowDefinitionRow> {
  const errors = await checkWorkflowDefinition(db, doc);
  if (errors.length > 0) throw invalidDefinition('Workflow definition', errors);
  try {
    return await workflowDefinitions.insert(db, toInsert(doc as Record<string, unknown>, [], actor));
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const d = doc as { workflow_id: string; version: string };
    throw AppError.conflict(`Workflow definition ${d.workflow_id} version ${d.version} already exists; create a new version`);
  }
}

/** A version, or 404. */
export async function getWorkflowDefinitionVersion(db: Db, workflowId: string, version: string): Promise<WorkflowDefinitionRow> {
  const row = await workflowDefinitions.getVersion(db, workflowId, version);
  if (!row) throw AppError.notFound(`Workflow definition ${workflowId} version ${version} not found`);
  return row;
}

/** Every version of a definition, oldest first; 404 when there is none. */
export async function listWorkflowDefinitionVersions(db: Db, workflowId: string): Promise<WorkflowDefinitionRow[]> {
  const rows = await workflowDefinitions.listVersions(db, workflowId);
  if (rows.length === 0) throw AppError.notFound(`Workflow definition ${workflowId} not found`);
  return rows;
}

/** Replaces a draft's document. 409 once active or deprecated: those versions are immutable. */
export async function updateWorkflowDraft(db: Db, workflowId: string, version: string, doc: unknown, { actor }: Actor = {}): Promise<WorkflowDefinitionRow> {
  const current = await getWorkflowDefinitionVersion(db, workflowId, version);
  if (current.status !== 'draft') throw AppError.conflict(`Workflow definition ${workflowId}@${version} is ${current.status} and immutable; create a new version`);
  const d = doc as Record<string, unknown>;
  if (d?.workflow_id !== workflowId || d?.version !== version) {
    throw AppError.unprocessable('workflow_id and version of the body must match the URL', [{ pointer: '/body/version', message: `must be ${version} (workflow_id ${workflowId})` }]);
  }
  const errors = await checkWorkflowDefinition(db, doc);
  if (errors.length > 0) throw invalidDefinition('Workflow definition', errors);
  const { created_by: _c, ...values } = toInsert(d, [], actor);
  const row = await workflowDefinitions.updateDraft(db, current.id, values);
  if (!row) throw AppError.conflict(`Workflow definition ${workflowId}@${version} is no longer a draft`);
  return row;
}

/** Activates a version after checking that every task it references can be resolved now. */
export async function activateWorkflowDefinition(db: Db, workflowId: string, version: string, { actor }: Actor = {}): Promise<WorkflowDefinitionRow> {
  const current = await getWorkflowDefinitionVersion(db, workflowId, version);
  if (current.status === 'active') return current;
  await resolveTasks(db, current.definition as { steps: never[] });
  const row = await workflowDefinitions.setStatus(db, current.id, 'active', actor);
  if (!row) throw AppError.conflict(`Workflow definition ${workflowId}@${version} cannot be activated from ${current.status}`);
  return row;
}

/** Deprecates a version: running runs continue, new unpinned starts stop choosing it. */
export async function deprecateWorkflowDefinition(db: Db, workflowId: string, version: string, { actor }: Actor = {}): Promise<WorkflowDefinitionRow> {
  const current = await getWorkflowDefinitionVersion(db, workflowId, version);
  if (current.status === 'deprecated') return current;
  const row = await workflowDefinitions.setStatus(db, current.id, 'deprecated', actor);
  if (!row) throw AppError.conflict(`Workflow definition ${workflowId}@${version} cannot be deprecated from ${current.status}`);
  return row;
}

/** The API view of a version: the document plus lifecycle fields. */
export function workflowDefinitionView(row: WorkflowDefinitionRow): Record<string, unknown> {
  return {
    id: row.id, workflow_id: row.workflow_id, version: row.version, name: row.name, description: row.description,
    status: row.status, definition: row.definition, checksum: row.checksum,
    activated_at: row.activated_at, deprecated_at: row.deprecated_at,
    created_at: row.created_at, updated_at: row.updated_at, created_by: row.created_by, updated_by: row.updated_by,
  };
}
