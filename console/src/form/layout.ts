/**
 * From a human task's form snapshot (JSON Schema + layout + actions, see common/contracts/human-tasks.ts) to
 * what @rjsf/core renders: the uiSchema (field order, section groups, labels, help, read-only, widgets,
 * placeholders), the actions' buttons, the `requires` check of an action, and the server's 422 field errors as
 * rjsf `extraErrors`. Pure functions (no React, no rjsf at run time): unit-tested in layout.test.ts.
 */
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import type { FormAction, FormFieldLayout, FormSnapshot } from '../../../common/contracts/human-tasks';

export type { FormAction, FormSnapshot };

/** A section as the ObjectFieldTemplate renders it (`ui:options.sections`). */
export interface UiSection {
  title?: string;
  description?: string;
  fields: string[];
}

/** The layout's widget names mapped to rjsf's registered widgets. */
const WIDGETS: Record<NonNullable<FormFieldLayout['widget']>, string> = {
  text: 'text',
  textarea: 'textarea',
  number: 'updown',
  checkbox: 'checkbox',
  select: 'select',
  radio: 'radio',
  date: 'date',
  datetime: 'datetime',
  email: 'email',
  hidden: 'hidden',
};

/** The top-level property names of a form schema, in schema order. */
export function schemaFields(schema: FormSnapshot['schema']): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const props = (schema as { properties?: Record<string, unknown> }).properties;
  return props && typeof props === 'object' ? Object.keys(props) : [];
}

/**
 * The sections to render: the layout's sections (unknown field names dropped, each field once), then an
 * untitled group of the remaining schema fields when there are sections and fields outside them.
 */
export function layoutSections(form: Pick<FormSnapshot, 'schema' | 'layout'>): UiSection[] {
  const fields = schemaFields(form.schema);
  const known = new Set(fields);
  const placed = new Set<string>();
  const sections: UiSection[] = [];
  for (const s of form.layout?.sections ?? []) {
    const own = s.fields.filter((f) => known.has(f) && !placed.has(f));
    own.forEach((f) => placed.add(f));
    sections.push({
      ...(s.title && { title: s.title }),
      ...(s.description && { description: s.description }),
      fields: own,
    });
  }
  const rest = fields.filter((f) => !placed.has(f));
  if (sections.length > 0 && rest.length > 0) sections.push({ fields: rest });
  return sections;
}

/** The rjsf uiSchema of a form: the snapshot's free `uiSchema` hints, overridden by what the layout says. */
export function layoutToUiSchema(form: Pick<FormSnapshot, 'schema' | 'layout' | 'uiSchema'>): UiSchema {
  const hints = (form.uiSchema ?? {}) as UiSchema;
  const sections = layoutSections(form);
  const order = sections.length > 0 ? sections.flatMap((s) => s.fields) : schemaFields(form.schema);
  const ui: UiSchema = { ...hints, 'ui:order': [...order, '*'] };
  if (sections.length > 0) ui['ui:options'] = { ...(hints['ui:options'] as object), sections };
  const known = new Set(schemaFields(form.schema));
  for (const [name, f] of Object.entries(form.layout?.fields ?? {})) {
    if (!known.has(name)) continue;
    const field: UiSchema = { ...(hints[name] as UiSchema | undefined) };
    if (f.label !== undefined) field['ui:title'] = f.label;
    if (f.help !== undefined) field['ui:help'] = f.help;
    if (f.placeholder !== undefined) field['ui:placeholder'] = f.placeholder;
    if (f.readonly) field['ui:readonly'] = true;
    if (f.widget) field['ui:widget'] = WIDGETS[f.widget];
    ui[name] = field;
  }
  return ui;
}

/** The form's actions; a form without actions offers one implicit `submit`. */
export function formActions(form: Pick<FormSnapshot, 'actions'>): FormAction[] {
  return form.actions && form.actions.length > 0 ? form.actions : [{ id: 'submit', label: 'Submit', style: 'primary' }];
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** Field errors for the fields `action` requires that are empty in `data` (as the server checks them). */
export function missingRequired(action: FormAction, data: Record<string, unknown> | undefined): ErrorSchema {
  const errors: Record<string, ErrorSchema> = {};
  for (const f of action.requires ?? [])
    if (isEmpty(data?.[f])) errors[f] = { __errors: [`is required for “${action.label}”`] } as ErrorSchema;
  return errors as ErrorSchema;
}

/** Decodes one JSON-pointer token (`~1` is `/`, `~0` is `~`). */
const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Splits server field errors into rjsf `extraErrors` (pointers under `prefix`, by default `/body/data`, placed on
 * their field, nested pointers on the nested field) and the rest (messages shown above the form).
 */
export function serverErrorsToExtraErrors(
  errors: Array<{ pointer: string; message: string }>,
  prefix = '/body/data',
): { extraErrors: ErrorSchema; other: string[] } {
  const root: Record<string, unknown> = {};
  const other: string[] = [];
  for (const e of errors) {
    if (e.pointer !== prefix && !e.pointer.startsWith(`${prefix}/`)) {
      other.push(e.pointer ? `${e.pointer}: ${e.message}` : e.message);
      continue;
    }
    const path = e.pointer.slice(prefix.length).split('/').filter(Boolean).map(unescape);
    let node = root;
    for (const token of path) node = (node[token] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(e.message);
  }
  return { extraErrors: root as ErrorSchema, other };
}

/** One line of the error summary above a form: the field (its path, as in an rjsf ErrorSchema) and a message. */
export interface FieldMessage {
  /** Property names from the form's root; empty for an error of the whole form. */
  path: string[];
  message: string;
}

/**
 * Every message of an rjsf ErrorSchema (schema errors, the `requires` check and the server's 422, merged by the
 * form) with its exact path, in field order. Walking the ErrorSchema rather than rjsf's error list keeps field
 * names that contain a dot intact.
 */
export function errorSchemaMessages(errorSchema: ErrorSchema | undefined, path: string[] = []): FieldMessage[] {
  if (!errorSchema || typeof errorSchema !== 'object') return [];
  const node = errorSchema as Record<string, unknown>;
  const own = Array.isArray(node.__errors) ? (node.__errors as unknown[]) : [];
  const out: FieldMessage[] = own.map((m) => ({ path, message: String(m) }));
  for (const [key, child] of Object.entries(node))
    if (key !== '__errors') out.push(...errorSchemaMessages(child as ErrorSchema, [...path, key]));
  return out;
}

/**
 * The DOM id rjsf gives the field at `path` (default `idPrefix` "root", `idSeparator` "_"), so the summary can
 * move the focus to the field.
 */
export function rjsfFieldId(path: string[]): string {
  return ['root', ...path].join('_');
}

/** The schema as rjsf takes it (a boolean schema renders nothing useful: an empty object form). */
export function rjsfSchema(schema: FormSnapshot['schema']): RJSFSchema {
  return typeof schema === 'object' && schema !== null ? (schema as RJSFSchema) : { type: 'object' };
}
