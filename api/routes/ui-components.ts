/**
 * web_application_service.ui_components: forms and views for manual tasks. A component carries the JSON
 * Schema of the data it edits (checked to be a usable schema), rendering hints, a layout and actions.
 */
import { definitionRoutes } from '../http/definition-routes';
import { jsonSchemaErrorsOffThread } from '../../services/validation';

const object = { type: ['object', 'null'] };

/** `/ui-components` routes. */
export const uiComponentRoutes = definitionRoutes({
  path: '/ui-components',
  table: 'web_application_service.ui_components',
  businessId: 'component_id',
  tag: 'ui-components',
  operation: 'UiComponent',
  noun: 'UI component',
  read: 'ui_components:read',
  write: 'ui_components:write',
  fields: {
    component_type: { enum: ['form', 'display', 'widget'] },
    form_schema: {
      type: ['object', 'boolean', 'null'],
      description: 'JSON Schema (2020-12) of the data the component edits',
    },
    ui_schema: { ...object, description: 'Rendering hints per field' },
    layout: { type: ['object', 'array', 'null'], description: 'Placement of fields and sections' },
    actions: {
      type: ['array', 'null'],
      maxItems: 50,
      items: {
        type: 'object',
        required: ['id', 'label'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 100 },
          label: { type: 'string', minLength: 1, maxLength: 255 },
          outcome: { type: 'string', maxLength: 100 },
        },
      },
    },
  },
  check: (body) => (body.form_schema == null ? [] : jsonSchemaErrorsOffThread(body.form_schema, '/body/form_schema')),
});
