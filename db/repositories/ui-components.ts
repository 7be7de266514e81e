/** web_application_service.ui_components: versioned forms and views (UI components) for human tasks (#12). */
import { definitionRepository, type DefinitionRowBase, type DefinitionStatus } from './definitions';
import type { Db } from './sql';
import { TASK_DEFINITIONS } from './task-definitions';

/** A row of ui_components. */
export interface UiComponentRow extends DefinitionRowBase {
  component_id: string;
  component_type: string;
  form_schema: Record<string, unknown> | boolean | null;
  ui_schema: Record<string, unknown> | null;
  layout: Record<string, unknown> | null;
  actions: Array<Record<string, unknown>> | null;
}

/** Values to insert a UI component version. */
export interface UiComponentInsert {
  component_id: string;
  version: string;
  name: string;
  description?: string | null;
  status?: DefinitionStatus;
  component_type?: string;
  form_schema?: object | boolean | null;
  ui_schema?: object | null;
  layout?: object | null;
  actions?: object[] | null;
  created_by?: string | null;
  updated_by?: string | null;
}

export const UI_COMPONENTS = 'web_application_service.ui_components';

const base = definitionRepository<UiComponentRow, UiComponentInsert>(UI_COMPONENTS, 'component_id');

/** Repository of UI components (business key: component_id + version). */
export const uiComponents = {
  ...base,
  /** task_id@version of the task definitions whose form is the component version `id` (at most `limit`). */
  async referencingTasks(db: Db, id: string, limit = 5): Promise<string[]> {
    const rows = (await db(TASK_DEFINITIONS)
      .where({ ui_component_id: id })
      .orderBy(['task_id', 'version'])
      .limit(limit)
      .select('task_id', 'version')) as Array<{ task_id: string; version: string }>;
    return rows.map((r) => `${r.task_id}@${r.version}`);
  },
};
