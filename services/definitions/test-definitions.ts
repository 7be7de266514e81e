/**
 * Test definitions (#14, docs/testing.md): the checks and derived columns of a version before it is written (the
 * rows are definition records, see records.ts). The target is named by business id (`target_id`, optional
 * `target_version`); the legacy row-id columns (`workflow_definition_id`, `task_definition_id`) are still accepted
 * and kept in step: a body naming only a row pins that row's version, a pinned target fills the row id.
 */
import { workflowTarget, type TestTarget } from '../../common/definitions/test-definition-validate';
import { TEST_DEFINITION_FIELDS } from '../../common/definitions/test-definition-schema';
import type { FieldError } from '../../common/errors';
import type { DefinitionRowBase } from '../../db/repositories/definitions';
import type { Db } from '../../db/repositories/sql';
import { taskDefinitions } from '../../db/repositories/task-definitions';
import { workflowDefinitions } from '../../db/repositories/workflow-definitions';
import { validateTestDefinitionOffThread } from '../validation';
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

/** The document a write leaves: the stored fields (an update) overlaid with the body's, nulls of optionals dropped. */
function documentOf(fields: Obj, current?: Obj): Obj {
  const kept = current ? Object.fromEntries(TEST_DEFINITION_FIELDS.map((k) => [k, current[k]])) : {};
  const optional = new Set(['description', 'target_version']);
  return Object.fromEntries(
    Object.entries({ ...kept, ...fields }).filter(([k, v]) => v !== undefined && !(optional.has(k) && v === null)),
  );
}

/** Errors of the fields a write may not carry: a deprecated new version, a changed id or version. */
function lifecycleErrors(content: Obj, current?: Obj): FieldError[] {
  if (!current) {
    return content.status === 'deprecated'
      ? [{ pointer: '/body/status', message: 'a new version is draft or active' }]
      : [];
  }
  return ['test_id', 'version']
    .filter((key) => key in content)
    .map((key) => ({ pointer: `/body/${key}`, message: 'cannot be changed: create a new version' }));
}

/**
 * Checks a test definition body (a create, or a draft's changed fields over `current`) and derives its columns:
 * schema and semantic errors, unknown or unresolvable targets, references into the target, all under `/body`.
 */
export async function prepareTestDefinition(db: Db, content: Obj, current?: Obj): Promise<PreparedTestDefinition> {
  const { $schema: _schema, workflow_definition_id: _w, task_definition_id: _t, ...fields } = content;
  const errors = lifecycleErrors(content, current);
  const doc = documentOf(fields, current);
  const type: TargetType = doc.target_type === 'task' ? 'task' : 'workflow';
  const column = ROW_COLUMNS[type];
  const other = ROW_COLUMNS[type === 'task' ? 'workflow' : 'task'];
  if (content[other] != null)
    errors.push({ pointer: `/body/${other}`, message: `is for target_type ${type === 'task' ? 'workflow' : 'task'}` });

  // A legacy body (or a row written before target_id existed) names a row and no target_id: that row is the pin.
  const rowId = content[column] ?? (current && current.target_id == null ? current[column] : undefined);
  const byRow = typeof rowId === 'string' && !('target_id' in content);
  let found: TargetRow | FieldError | undefined;
  if (byRow) {
    const row = await repositories[type].getById(db, rowId);
    found = row ?? { pointer: `/body/${column}`, message: 'does not exist' };
    if (row)
      Object.assign(doc, { target_id: type === 'task' ? row.task_id : row.workflow_id, target_version: row.version });
  } else if (typeof doc.target_id === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(doc.target_id)) {
    const version = typeof doc.target_version === 'string' ? doc.target_version : undefined;
    if (doc.target_version === undefined || version) found = await resolveTarget(db, type, doc.target_id, version);
  }
  const target = found && !('pointer' in found) ? targetOf(type, found) : undefined;
  if (found && 'pointer' in found) errors.push(found);
  const targetRowId = target && doc.target_version ? (found as TargetRow).id : null;
  if (!byRow && typeof rowId === 'string' && target && rowId !== targetRowId) {
    errors.push({ pointer: `/body/${column}`, message: 'is not the row of target_id at target_version' });
  }

  for (const e of await validateTestDefinitionOffThread(doc, target)) {
    errors.push({ pointer: `/body${e.pointer}`, message: e.message });
  }
  const values: Obj = { ...fields, target_id: doc.target_id, target_version: doc.target_version ?? null };
  Object.assign(values, { [column]: targetRowId, [other]: null });
  return { errors: dedupe(errors), values };
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(`${e.pointer}|${e.message}`) && seen.add(`${e.pointer}|${e.message}`));
}
