/**
 * UI components as versioned forms (#12): the lifecycle every definition kind shares (versions keyed by
 * component_id + version, draft -> active -> deprecated, an active version immutable except for its status),
 * with the form checks of services/forms/checks.ts on every write (422 listing every error, pointers under
 * /body). Manual task definitions name a component version (task-definitions.ts resolves the reference here) and
 * human tasks render a {@link FormSnapshot} of one.
 */
import type { FormAction, FormLayout, FormSnapshot } from '../../common/contracts/human-tasks';
import type { ValidationError } from '../../common/definitions/validate';
import { AppError } from '../../common/errors';
import type { DefinitionStatus } from '../../db/repositories/definitions';
import type { Db } from '../../db/repositories/sql';
import { uiComponents, type UiComponentInsert, type UiComponentRow } from '../../db/repositories/ui-components';
import { uiComponentErrorsOffThread } from '../validation';
import { invalidDefinition } from './errors';
import { highest } from './semver';
import { versioned, type Actor, type Precondition } from './versioned';

export type { UiComponentRow } from '../../db/repositories/ui-components';

/** The shared lifecycle steps, for UI components (current = highest active version). */
export const uiComponentVersions = versioned({
  label: 'UI component',
  businessId: 'component_id',
  repository: uiComponents,
  current: 'highest',
});

/** The action a form without actions offers. */
export const DEFAULT_FORM_ACTION: FormAction = { id: 'submit', label: 'Submit' };

type Options = Actor & { precondition?: Precondition<UiComponentRow> };

/** Every problem of a UI component document (in a validation thread); pointers relative to the document. */
export function checkUiComponent(doc: unknown): Promise<ValidationError[]> {
  return uiComponentErrorsOffThread(doc);
}

async function validate(doc: unknown): Promise<void> {
  const errors = await checkUiComponent(doc);
  if (errors.length > 0) throw invalidDefinition('UI component', errors);
}

function toInsert(doc: Record<string, unknown>, actor?: string): UiComponentInsert {
  const schema = doc.form_schema as object | boolean | undefined;
  return {
    component_id: doc.component_id as string,
    version: doc.version as string,
    name: doc.name as string,
    description: (doc.description as string | undefined) ?? null,
    component_type: (doc.component_type as string | undefined) ?? 'form',
    // A boolean schema goes to jsonb as JSON text (knex would send a SQL boolean).
    form_schema: typeof schema === 'boolean' ? (JSON.stringify(schema) as unknown as boolean) : (schema ?? null),
    ui_schema: (doc.ui_schema as object | undefined) ?? null,
    layout: (doc.layout as object | undefined) ?? null,
    actions: (doc.actions as object[] | undefined) ?? null,
    created_by: actor ?? null,
    updated_by: actor ?? null,
  };
}

/** Creates a version (status draft). 422 with every error when invalid; 409 when component_id@version exists. */
export async function createUiComponent(db: Db, doc: unknown, { actor }: Actor = {}): Promise<UiComponentRow> {
  await validate(doc);
  return uiComponentVersions.insert(db, toInsert(doc as Record<string, unknown>, actor));
}

/** Replaces a draft's content (same component_id and version); 409 once active or deprecated. */
export function updateUiComponentDraft(
  db: Db,
  componentId: string,
  version: string,
  doc: unknown,
  { actor, precondition }: Options = {},
): Promise<UiComponentRow> {
  return uiComponentVersions.replaceDraft(db, componentId, version, doc, {
    actor,
    precondition,
    validate,
    immutableFirst: true,
    mismatch: `must be ${version} (component_id ${componentId})`,
    values: (d, by) => {
      const { created_by: _c, ...values } = toInsert(d, by);
      return values;
    },
  });
}

/** Moves a version to active or deprecated; 409 when its status does not allow the move. */
export function setUiComponentStatus(
  db: Db,
  componentId: string,
  version: string,
  to: Exclude<DefinitionStatus, 'draft'>,
  { actor, precondition }: Options = {},
): Promise<UiComponentRow> {
  return uiComponentVersions.move(db, componentId, version, to, {
    actor,
    precondition,
    refused: (from) => `cannot be ${to === 'active' ? 'activated' : 'deprecated'} from ${from}`,
  });
}

/** Deletes a version that is neither active nor the form of a task definition (409 otherwise). */
export async function deleteUiComponent(
  db: Db,
  componentId: string,
  version: string,
  precondition?: Precondition<UiComponentRow>,
): Promise<void> {
  const row = await uiComponentVersions.getVersion(db, componentId, version);
  const tasks = await uiComponents.referencingTasks(db, row.id);
  if (tasks.length > 0) {
    throw AppError.conflict(`UI component ${componentId}@${version} is the form of task ${tasks.join(', ')}`);
  }
  await uiComponentVersions.remove(db, componentId, version, precondition);
}

/** Why a reference names no component version: the message, and the member of the reference at fault. */
export interface UnresolvedComponent {
  field: 'component_id' | 'version' | '';
  message: string;
}

/**
 * The component version a reference names: `version` exactly (any status), else the current version (the
 * highest active one); otherwise why there is none.
 */
export async function resolveUiComponent(
  db: Db,
  componentId: string,
  version?: string,
): Promise<UiComponentRow | UnresolvedComponent> {
  const rows = await uiComponents.listVersions(db, componentId);
  if (rows.length === 0) return { field: 'component_id', message: `UI component ${componentId} does not exist` };
  if (version !== undefined) {
    return (
      rows.find((r) => r.version === version) ?? {
        field: 'version',
        message: `UI component ${componentId} has no version ${version}`,
      }
    );
  }
  return (
    highest(rows.filter((r) => r.status === 'active')) ?? {
      field: '',
      message: `UI component ${componentId} has no active version: activate one or name a version`,
    }
  );
}

/** A component version by row id (task_definitions.ui_component_id), or undefined. */
export function getUiComponentById(db: Db, id: string): Promise<UiComponentRow | undefined> {
  return uiComponents.getById(db, id);
}

/** What a human task renders: the component version, frozen (actions default to one `submit`). */
export function toFormSnapshot(row: UiComponentRow): FormSnapshot {
  const actions = (row.actions as FormAction[] | null) ?? [];
  return {
    componentId: row.component_id,
    version: row.version,
    name: row.name,
    schema: row.form_schema ?? true,
    layout: (row.layout as FormLayout | null) ?? {},
    actions: actions.length > 0 ? actions : [DEFAULT_FORM_ACTION],
    ...(row.ui_schema && { uiSchema: row.ui_schema }),
  };
}

/** The API form of a version: the document (absent fields omitted) plus lifecycle fields. */
export function uiComponentView(row: UiComponentRow): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    id: row.id,
    component_id: row.component_id,
    version: row.version,
    name: row.name,
    component_type: row.component_type,
  };
  for (const key of ['description', 'form_schema', 'ui_schema', 'layout', 'actions'] as const) {
    if (row[key] !== null && row[key] !== undefined) doc[key] = row[key];
  }
  return {
    ...doc,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
  };
}
