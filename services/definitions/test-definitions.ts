/**
 * Test definitions (#14, docs/testing.md): the checks and derived columns of a version before it is written (the
 * rows are definition records, see records.ts). The target is named by business id (`target_id`, optional
 * `target_version`); the legacy row-id columns (`workflow_definition_id`, `task_definition_id`) are still accepted
 * and kept in step: a body naming only a row pins that row's version, a pinned target fills the row id.
 */
import {
  validateTestDefinition,
  workflowTarget,
  type TestTarget,
} from '../../common/definitions/test-definition-validate';
import { TEST_DEFINITION_FIELDS } from '../../common/definitions/test-definition-schema';
import type { FieldError } from '../../common/errors';
import type { DefinitionRowBase } from '../../db/repositories/definitions';
import type { Db } from '../../db/repositories/sql';
import { taskDefinitions } from '../../db/repositories/task-definitions';
import { workflowDefinitions } from '../../db/repositories/workflow-definitions';
import { highest } from './semver';

type Obj = Record<string, unknown>;
const ROW_COLUMNS = { workflow: 'workflow_definition_id', task: 'task_definition_id' } as const;
type TargetType = keyof typeof ROW_COLUMNS;

/** A definition version as the target resolution sees it. */
type TargetRow = DefinitionRowBase & { id: string; definition?: unknown; task_id?: string; workflow_id?: string };

const repositories = {
  workflow: workflowDefinitions as unknown as Repo,
  task: taskDefinitions as unknown as Repo,
};
interface Repo {
  getById(db: Db, id: string): Promise<TargetRow | undefined>;
  getVersion(db: Db, businessId: string, version: string): Promise<TargetRow | undefined>;
  listVersions(db: Db, businessId: string): Promise<TargetRow[]>;
}

/** The version a test of `target_id` (at `version`, else its current one) runs against, or a field error. */
async function resolveTarget(
  db: Db,
  type: TargetType,
  id: string,
  version: string | null | undefined,
): Promise<TargetRow | FieldError> {
  const repo = repositories[type];
  if (version) {
    const row = await repo.getVersion(db, id, version);
    if (row) return row;
    const any = (await repo.listVersions(db, id)).length > 0;
    return any
      ? { pointer: '/body/target_version', message: `${type} ${id} has no version ${version}` }
      : { pointer: '/body/target_id', message: `no ${type} definition "${id}"` };
  }
  // As the services answer "current": the highest active version, else the newest one.
  const rows = await repo.listVersions(db, id);
  const row = highest(rows.filter((r) => r.status === 'active')) ?? rows[rows.length - 1];
  return row ?? { pointer: '/body/target_id', message: `no ${type} definition "${id}"` };
}

function targetOf(type: TargetType, row: TargetRow): TestTarget {
  if (type === 'task') return { type, label: `${row.task_id}@${row.version}`, taskId: row.task_id ?? '' };
  return workflowTarget(`${row.workflow_id}@${row.version}`, row.definition);
}

/** What {@link prepareTestDefinition} answers: every error, or the columns to write. */
export interface PreparedTestDefinition {
  errors: FieldError[];
  values: Obj;
}

/**
 * Checks a test definition body (a create, or a draft's changed fields over `current`) and derives its columns:
 * schema and semantic errors, unknown or unresolvable targets, references into the target, all under `/body`.
 */
export async function prepareTestDefinition(db: Db, content: Obj, current?: Obj): Promise<PreparedTestDefinition> {
  const errors: FieldError[] = [];
  const { $schema: _schema, workflow_definition_id: _w, task_definition_id: _t, ...fields } = content;
  if (!current && content.status === 'deprecated') {
    errors.push({ pointer: '/body/status', message: 'a new version is draft or active' });
  }
  if (current) {
    for (const key of ['test_id', 'version'])
      if (key in content) errors.push({ pointer: `/body/${key}`, message: 'cannot be changed: create a new version' });
  }
  const kept = current ? Object.fromEntries(TEST_DEFINITION_FIELDS.map((k) => [k, current[k]])) : {};
  const doc: Obj = Object.fromEntries(
    Object.entries({ ...kept, ...fields }).filter(([k, v]) => v !== undefined && !(k === 'description' && v === null)),
  );
  if (doc.target_version === null) delete doc.target_version;
  const type: TargetType = doc.target_type === 'task' ? 'task' : 'workflow';
  const column = ROW_COLUMNS[type];
  const other = ROW_COLUMNS[type === 'task' ? 'workflow' : 'task'];
  if (content[other] != null)
    errors.push({ pointer: `/body/${other}`, message: `is for target_type ${other.split('_')[0]}` });

  // Legacy body (or a row written before target_id existed): a row id and no target_id pins that row.
  const legacyRow = current && current.target_id == null ? current[column] : undefined;
  const rowId = content[column] ?? legacyRow;
  let pinned: TargetRow | undefined;
  if (typeof rowId === 'string' && !('target_id' in content)) {
    pinned = await repositories[type].getById(db, rowId);
    if (!pinned) errors.push({ pointer: `/body/${column}`, message: 'does not exist' });
    else {
      doc.target_id = type === 'task' ? pinned.task_id : pinned.workflow_id;
      doc.target_version = pinned.version;
    }
  }

  let target: TestTarget | undefined;
  let targetRowId: string | null = null;
  const targetId = doc.target_id;
  const validTargetId = typeof targetId === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(targetId);
  if (validTargetId && (doc.target_version === undefined || typeof doc.target_version === 'string')) {
    const found = pinned ?? (await resolveTarget(db, type, targetId, doc.target_version as string | undefined));
    if ('pointer' in found) errors.push(found);
    else {
      target = targetOf(type, found);
      if (doc.target_version) targetRowId = found.id;
    }
  }
  if (typeof rowId === 'string' && target && rowId !== targetRowId && !pinned) {
    errors.push({ pointer: `/body/${column}`, message: 'is not the row of target_id at target_version' });
  }

  for (const e of validateTestDefinition(doc, target))
    errors.push({ pointer: `/body${e.pointer}`, message: e.message });
  const values: Obj = { ...fields, target_id: doc.target_id, target_version: doc.target_version ?? null };
  values[column] = targetRowId;
  values[other] = null;
  return { errors: dedupe(errors), values };
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(`${e.pointer}|${e.message}`) && seen.add(`${e.pointer}|${e.message}`));
}
