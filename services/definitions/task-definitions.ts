/** Task definitions lifecycle: create (draft), new version, update a draft, activate, deprecate, list, get. */
import { createHash } from 'node:crypto';
import type { ValidationError } from '../../common/definitions/validate';
import type { TaskDefinitionSnapshot } from '../../common/definitions/types';
import { AppError } from '../../common/errors';
import type { DefinitionStatus } from '../../db/repositories/definitions';
import type { Db } from '../../db/repositories/sql';
import { taskDefinitions, type TaskDefinitionInsert, type TaskDefinitionRow } from '../../db/repositories/task-definitions';
import { invalidDefinition, isUniqueViolation } from './errors';
import { validateTaskDefinitionOffThread } from '../validation';

/** Who is acting (for created_by / updated_by). */
export interface Actor {
  actor?: string;
}

function toInsert(doc: Record<string, unknown>, actor?: string): TaskDefinitionInsert {
  return {
    task_id: doc.task_id as string,
    version: doc.version as string,
    name: (doc.name as string | undefined) ?? (doc.task_id as string),
    description: (doc.description as string | undefined) ?? null,
    type: doc.type as TaskDefinitionInsert['type'],
    config: (doc.config as object) ?? {},
    input_schema: (doc.input_schema as object | undefined) ?? null,
    output_schema: (doc.output_schema as object | undefined) ?? null,
    retry_policy: (doc.retry_policy as object | undefined) ?? null,
    timeouts: (doc.timeouts as object | undefined) ?? null,
    checksum: createHash('sha256').update(JSON.stringify(doc)).digest('hex'),
    created_by: actor ?? null,
    updated_by: actor ?? null,
  };
}

/** Validates without writing (in a validation thread); the list is empty when the document is valid. */
export function checkTaskDefinition(doc: unknown): Promise<ValidationError[]> {
  return validateTaskDefinitionOffThread(doc);
}

/** Creates a version (status draft). 422 with every error when invalid; 409 when task_id@version exists. */
export async function createTaskDefinition(db: Db, doc: unknown, { actor }: Actor = {}): Promise<TaskDefinitionRow> {
  const errors = await checkTaskDefinition(doc);
  if (errors.length > 0) throw invalidDefinition('Task definition', errors);
  try {
    return await taskDefinitions.insert(db, toInsert(doc as Record<string, unknown>, actor));
  } catch (err) {
    if (isUniqueViolation(err)) {
      const d = doc as { task_id: string; version: string };
      throw AppError.conflict(`Task definition ${d.task_id} version ${d.version} already exists; create a new version`);
    }
    throw err;
  }
}

/** A version, or 404. */
export async function getTaskDefinitionVersion(db: Db, taskId: string, version: string): Promise<TaskDefinitionRow> {
  const row = await taskDefinitions.getVersion(db, taskId, version);
  if (!row) throw AppError.notFound(`Task definition ${taskId} version ${version} not found`);
  return row;
}

/** Replaces a draft's content (same task_id and version). 409 once active: active versions are immutable. */
export async function updateTaskDraft(db: Db, taskId: string, version: string, doc: unknown, { actor }: Actor = {}): Promise<TaskDefinitionRow> {
  const current = await getTaskDefinitionVersion(db, taskId, version);
  const d = doc as Record<string, unknown>;
  if (d && typeof d === 'object' && (d.task_id !== taskId || d.version !== version)) {
    throw AppError.unprocessable('task_id and version of the body must match the URL', [{ pointer: '/body/version', message: `must be ${version}` }]);
  }
  const errors = await checkTaskDefinition(doc);
  if (errors.length > 0) throw invalidDefinition('Task definition', errors);
  if (current.status !== 'draft') throw AppError.conflict(`Task definition ${taskId}@${version} is ${current.status} and immutable; create a new version`);
  const { created_by: _c, ...values } = toInsert(d, actor);
  const row = await taskDefinitions.updateDraft(db, current.id, values);
  if (!row) throw AppError.conflict(`Task definition ${taskId}@${version} is no longer a draft`);
  return row;
}

/** Moves a version to active or deprecated; 409 when the move is not allowed from its status. */
export async function setTaskDefinitionStatus(db: Db, taskId: string, version: string, to: Exclude<DefinitionStatus, 'draft'>, { actor }: Actor = {}): Promise<TaskDefinitionRow> {
  const current = await getTaskDefinitionVersion(db, taskId, version);
  if (current.status === to) return current;
  const row = await taskDefinitions.setStatus(db, current.id, to, actor);
  if (!row) throw AppError.conflict(`Task definition ${taskId}@${version} cannot move from ${current.status} to ${to}`);
  return row;
}

/** The immutable snapshot a run carries (nulls dropped so the snapshot matches the definition schema). */
export function toTaskSnapshot(row: TaskDefinitionRow): TaskDefinitionSnapshot {
  const s: TaskDefinitionSnapshot = { task_id: row.task_id, version: row.version, name: row.name, type: row.type as TaskDefinitionSnapshot['type'], config: row.config ?? {} };
  if (row.description) s.description = row.description;
  if (row.input_schema) s.input_schema = row.input_schema;
  if (row.output_schema) s.output_schema = row.output_schema;
  if (row.retry_policy) s.retry_policy = row.retry_policy as TaskDefinitionSnapshot['retry_policy'];
  if (row.timeouts) s.timeouts = row.timeouts as TaskDefinitionSnapshot['timeouts'];
  return s;
}

/** The document form of a row, as the API answers it. */
export function taskDefinitionView(row: TaskDefinitionRow): Record<string, unknown> {
  return {
    ...toTaskSnapshot(row), id: row.id, status: row.status,
    created_at: row.created_at, updated_at: row.updated_at, created_by: row.created_by, updated_by: row.updated_by,
  };
}

/** Every version of a task definition, oldest first; 404 when there is none. */
export async function listTaskDefinitionVersions(db: Db, taskId: string): Promise<TaskDefinitionRow[]> {
  const rows = await taskDefinitions.listVersions(db, taskId);
  if (rows.length === 0) throw AppError.notFound(`Task definition ${taskId} not found`);
  return rows;
}
