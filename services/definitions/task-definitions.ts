/** Task definitions lifecycle: create (draft), new version, update a draft, activate, deprecate, list, get. */
import { createHash } from 'node:crypto';
import type { ValidationError } from '../../common/definitions/validate';
import type { TaskDefinitionSnapshot } from '../../common/definitions/types';
import type { DefinitionStatus } from '../../db/repositories/definitions';
import type { Db } from '../../db/repositories/sql';
import {
  taskDefinitions,
  type TaskDefinitionInsert,
  type TaskDefinitionRow,
} from '../../db/repositories/task-definitions';
import { MANUAL_TASK_TYPE } from '../../common/definitions/kinds';
import { AppError } from '../../common/errors';
import { invalidDefinition } from './errors';
import { getUiComponentById, resolveUiComponent } from './ui-components';
import { versioned, type Actor, type Precondition } from './versioned';
import { validateTaskDefinitionOffThread } from '../validation';

export type { Actor } from './versioned';

/** The shared lifecycle steps, for task definitions. */
export const taskVersions = versioned({
  label: 'Task definition',
  businessId: 'task_id',
  repository: taskDefinitions,
  current: 'highest',
});

/** The form a manual task resolved to on save: the component row and its reference. */
interface ResolvedForm {
  ui_component_id: string;
  ui_component: { component_id: string; version: string };
}

function toInsert(doc: Record<string, unknown>, form: ResolvedForm | undefined, actor?: string): TaskDefinitionInsert {
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
    limits: (doc.limits as object | undefined) ?? null,
    priority: (doc.priority as number | undefined) ?? null,
    ui_component_id: form?.ui_component_id ?? null,
    ui_component: form?.ui_component ?? null,
    checksum: createHash('sha256').update(JSON.stringify(doc)).digest('hex'),
    created_by: actor ?? null,
    updated_by: actor ?? null,
  };
}

/** Validates without writing (in a validation thread); the list is empty when the document is valid. */
export function checkTaskDefinition(doc: unknown): Promise<ValidationError[]> {
  return validateTaskDefinitionOffThread(doc);
}

/**
 * Validates a document and resolves the form of a manual task (`ui_component`: the named version, else the
 * component's current active version): 422 with every error, the unresolvable form included.
 */
async function validate(db: Db, doc: unknown): Promise<ResolvedForm | undefined> {
  const errors = await checkTaskDefinition(doc);
  const d = doc as { type?: unknown; ui_component?: { component_id?: unknown; version?: unknown } } | null;
  const ref = d?.type === MANUAL_TASK_TYPE ? d.ui_component : undefined;
  let form: ResolvedForm | undefined;
  if (ref && typeof ref.component_id === 'string' && (ref.version === undefined || typeof ref.version === 'string')) {
    const found = await resolveUiComponent(db, ref.component_id, ref.version);
    if ('field' in found) {
      const pointer = found.field ? `/ui_component/${found.field}` : '/ui_component';
      errors.push({ pointer, code: 'unknown_ui_component', message: found.message });
    } else {
      form = { ui_component_id: found.id, ui_component: { component_id: found.component_id, version: found.version } };
    }
  }
  if (errors.length > 0) throw invalidDefinition('Task definition', errors);
  return form;
}

/** Creates a version (status draft). 422 with every error when invalid; 409 when task_id@version exists. */
export async function createTaskDefinition(db: Db, doc: unknown, { actor }: Actor = {}): Promise<TaskDefinitionRow> {
  const form = await validate(db, doc);
  return taskVersions.insert(db, toInsert(doc as Record<string, unknown>, form, actor));
}

/** A version, or 404. */
export function getTaskDefinitionVersion(db: Db, taskId: string, version: string): Promise<TaskDefinitionRow> {
  return taskVersions.getVersion(db, taskId, version);
}

/** Replaces a draft's content (same task_id and version). 409 once active: active versions are immutable. */
export function updateTaskDraft(
  db: Db,
  taskId: string,
  version: string,
  doc: unknown,
  { actor, precondition }: Actor & { precondition?: Precondition<TaskDefinitionRow> } = {},
): Promise<TaskDefinitionRow> {
  let form: ResolvedForm | undefined;
  return taskVersions.replaceDraft(db, taskId, version, doc, {
    actor,
    precondition,
    validate: async (d) => void (form = await validate(db, d)),
    immutableFirst: false,
    mismatch: `must be ${version}`,
    values: (d, by) => {
      const { created_by: _c, ...values } = toInsert(d, form, by);
      return values;
    },
  });
}

/** Moves a version to active or deprecated; 409 when the move is not allowed from its status. */
export function setTaskDefinitionStatus(
  db: Db,
  taskId: string,
  version: string,
  to: Exclude<DefinitionStatus, 'draft'>,
  { actor, precondition }: Actor & { precondition?: Precondition<TaskDefinitionRow> } = {},
): Promise<TaskDefinitionRow> {
  return taskVersions.move(db, taskId, version, to, {
    actor,
    precondition,
    // A manual task's form must be settled before the task can be used: not a draft that may still change.
    before: async (current) => {
      if (to !== 'active' || !current.ui_component_id) return;
      const form = await getUiComponentById(db, current.ui_component_id);
      if (form?.status === 'draft') {
        const ref = `${form.component_id}@${form.version}`;
        throw AppError.conflict(
          `The form of task ${taskId}@${version}, UI component ${ref}, is a draft: activate it first`,
        );
      }
    },
  });
}

/** The immutable snapshot a run carries (nulls dropped so the snapshot matches the definition schema). */
export function toTaskSnapshot(row: TaskDefinitionRow): TaskDefinitionSnapshot {
  const s: TaskDefinitionSnapshot = {
    task_id: row.task_id,
    version: row.version,
    name: row.name,
    type: row.type as TaskDefinitionSnapshot['type'],
    config: row.config ?? {},
  };
  if (row.description) s.description = row.description;
  if (row.input_schema) s.input_schema = row.input_schema;
  if (row.output_schema) s.output_schema = row.output_schema;
  if (row.retry_policy) s.retry_policy = row.retry_policy as TaskDefinitionSnapshot['retry_policy'];
  if (row.timeouts) s.timeouts = row.timeouts as TaskDefinitionSnapshot['timeouts'];
  if (row.limits) s.limits = row.limits as TaskDefinitionSnapshot['limits'];
  if (row.priority !== null && row.priority !== undefined) s.priority = row.priority;
  if (row.ui_component) s.ui_component = row.ui_component;
  return s;
}

/** The snapshot a valid document runs as once stored (single-task tests of an unsaved definition). */
export function toDocumentSnapshot(doc: Record<string, unknown>): TaskDefinitionSnapshot {
  return toTaskSnapshot(toInsert(doc, undefined) as TaskDefinitionInsert as TaskDefinitionRow);
}

/** The document form of a row, as the API answers it. */
export function taskDefinitionView(row: TaskDefinitionRow): Record<string, unknown> {
  return {
    ...toTaskSnapshot(row),
    id: row.id,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
  };
}

/** Every version of a task definition, oldest first; 404 when there is none. */
export function listTaskDefinitionVersions(db: Db, taskId: string): Promise<TaskDefinitionRow[]> {
  return taskVersions.listVersions(db, taskId);
}
