/**
 * The UI component document (web_application_service.ui_components, #12), declared once with TypeBox: the API
 * validates requests with it, the OpenAPI document embeds it (UiComponent, FormLayout, FormAction), and the
 * form checks (services/forms/checks.ts) run it before the rules JSON Schema cannot say. The static types match
 * the contract's {@link FormLayout} and {@link FormAction} (common/contracts/human-tasks.ts), checked below.
 *
 * Not sandbox-safe (TypeBox): workflow code uses the contract's types only.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FormAction, FormLayout, UI_COMPONENT_DOCUMENT_FIELDS } from '../contracts/human-tasks';

/** `{ enum: values }`, typed as one of the values. */
const Enum = <const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ ...options, enum: [...values] });
const { Optional } = Type;

/** component_id: letters, digits, `.`, `_`, `-` (as the table's business id always allowed). */
export const COMPONENT_ID_PATTERN = '^[A-Za-z0-9._-]{1,255}$';
/** version: any short label; semver (`1.2.0`) orders "current" best. */
export const COMPONENT_VERSION_PATTERN = '^[A-Za-z0-9._+-]{1,50}$';
/** Action ids: `[A-Za-z0-9_-]+`. */
export const ACTION_ID_PATTERN = '^[A-Za-z0-9_-]{1,100}$';

/** Kinds of UI component; only `form` is rendered for human tasks. */
export const COMPONENT_TYPES = ['form', 'display', 'widget'] as const;

/** Widgets a field may ask for (which property types each fits: docs/ui-components.md). */
export const WIDGETS = [
  'text',
  'textarea',
  'number',
  'checkbox',
  'select',
  'radio',
  'date',
  'datetime',
  'email',
  'hidden',
] as const;

/** A field's presentation. */
export const FormFieldLayoutSchema = Type.Object(
  {
    label: Optional(Type.String({ maxLength: 255 })),
    help: Optional(Type.String({ maxLength: 2_000 })),
    placeholder: Optional(Type.String({ maxLength: 255 })),
    widget: Optional(Enum(WIDGETS, { type: 'string' })),
    readonly: Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Sections in order (each lists top-level properties of form_schema) and per-field presentation. */
export const FormLayoutSchema = Type.Object(
  {
    sections: Optional(
      Type.Array(
        Type.Object(
          {
            title: Optional(Type.String({ maxLength: 255 })),
            description: Optional(Type.String({ maxLength: 2_000 })),
            fields: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 500 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    fields: Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 255 }), FormFieldLayoutSchema, { maxProperties: 500 }),
    ),
  },
  { additionalProperties: false, title: 'FormLayout' },
);

/** A button that submits the form with its action id. */
export const FormActionSchema = Type.Object(
  {
    id: Type.String({ pattern: ACTION_ID_PATTERN }),
    label: Type.String({ minLength: 1, maxLength: 255 }),
    /** Top-level properties that must be filled when submitting with this action. */
    requires: Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 500 })),
    style: Optional(Enum(['primary', 'danger', 'default'] as const, { type: 'string' })),
  },
  { additionalProperties: false, title: 'FormAction' },
);

/** A UI component version as sent to the API (create, new version, draft replacement, validate). */
export const UiComponentSchema = Type.Object(
  {
    component_id: Type.String({ pattern: COMPONENT_ID_PATTERN }),
    version: Type.String({ pattern: COMPONENT_VERSION_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Optional(Type.String({ maxLength: 10_000 })),
    /** Default `form`. */
    component_type: Optional(Enum(COMPONENT_TYPES, { type: 'string' })),
    /** JSON Schema (2020-12) of the data; a `form` needs an object schema with properties. */
    form_schema: Optional(
      Type.Unsafe<Record<string, unknown> | boolean>({
        type: ['object', 'boolean'],
        description: 'JSON Schema (2020-12) of the data the component edits',
      }),
    ),
    /** Free rendering hints, passed to the console unchanged. */
    ui_schema: Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', description: 'Rendering hints' })),
    layout: Optional(FormLayoutSchema),
    /** Without actions a form offers one: `{ id: "submit", label: "Submit" }`. */
    actions: Optional(Type.Array(FormActionSchema, { maxItems: 50 })),
  },
  {
    additionalProperties: false,
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://augmented-os.dev/schemas/ui-component.json',
    title: 'UiComponent',
  },
);

/** A UI component document. */
export type UiComponentDocument = Static<typeof UiComponentSchema>;

// The schemas and the contract's types describe the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const layoutMatches: Same<Static<typeof FormLayoutSchema>, FormLayout> = true;
const actionMatches: Same<Static<typeof FormActionSchema>, FormAction> = true;
const documentFieldsMatch: Same<keyof UiComponentDocument, (typeof UI_COMPONENT_DOCUMENT_FIELDS)[number]> = true;
void layoutMatches;
void actionMatches;
void documentFieldsMatch;
