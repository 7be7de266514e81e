/**
 * A human task's form: the snapshot rendered by @rjsf/core with the layout's uiSchema (layout.ts), sections as
 * headed groups, one submit button per action, client-side validation (validator.ts: JSON Schema without code
 * generation, so the page's CSP needs no 'unsafe-eval') plus each action's `requires`, and the server's 422 field
 * errors shown on their fields.
 */
import Form from '@rjsf/core';
import type { ErrorListProps, ErrorSchema, ObjectFieldTemplateProps } from '@rjsf/utils';
import { useMemo, useRef, useState } from 'react';
import {
  errorSchemaMessages,
  formActions,
  layoutToUiSchema,
  missingRequired,
  rjsfFieldId,
  rjsfSchema,
  type FormAction,
  type FormSnapshot,
  type UiSection,
} from './layout';
import { fieldLabel, validator } from './validator';

/** Sections as `<fieldset>`s with a heading (root object only); nested objects render plainly. */
function SectionedObject(props: ObjectFieldTemplateProps) {
  const sections = (props.uiSchema?.['ui:options'] as { sections?: UiSection[] } | undefined)?.sections;
  const byName = new Map(props.properties.map((p) => [p.name, p]));
  if (props.fieldPathId.path.length > 0 || !sections) {
    return (
      <div className="rjsf-object">
        {props.fieldPathId.path.length > 0 && props.title && <h4>{props.title}</h4>}
        {props.properties.map((p) => (p.hidden ? null : <div key={p.name}>{p.content}</div>))}
      </div>
    );
  }
  return (
    <div className="form-sections">
      {sections.map((s, i) => (
        <fieldset key={i} className="form-section" data-testid={`form-section-${i}`}>
          {s.title && <legend>{s.title}</legend>}
          {s.description && <p className="muted">{s.description}</p>}
          {s.fields.map((f) => {
            const p = byName.get(f);
            return p && !p.hidden ? <div key={f}>{p.content}</div> : null;
          })}
        </fieldset>
      ))}
    </div>
  );
}

/**
 * The error summary above the form: every problem (the schema's, the action's `requires`, the server's 422) with
 * the field's label as a link that moves the focus to the field, so a keyboard user reaches each one directly.
 */
function ErrorSummary({ errorSchema, schema, uiSchema }: ErrorListProps) {
  const items = errorSchemaMessages(errorSchema);
  if (items.length === 0) return null;
  return (
    <div className="panel errors" role="alert" aria-labelledby="form-error-summary">
      <h3 id="form-error-summary" className="panel-title">
        {items.length === 1 ? 'One field to correct' : `${items.length} fields to correct`}
      </h3>
      <ul>
        {items.map((e, i) => (
          <li key={i}>
            {e.path.length > 0 && (
              <>
                <a
                  href={`#${rjsfFieldId(e.path)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    document.getElementById(rjsfFieldId(e.path))?.focus();
                  }}
                >
                  {fieldLabel(e.path, schema, uiSchema)}
                </a>
                {': '}
              </>
            )}
            {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Props of {@link TaskForm}. */
export interface TaskFormProps {
  form: FormSnapshot;
  initialData?: Record<string, unknown>;
  /** Disables the buttons (task closed, not allowed, submitting). */
  disabled?: boolean;
  /** Field errors from the server, already in rjsf form (layout.ts `serverErrorsToExtraErrors`). */
  serverErrors?: ErrorSchema;
  onSubmit(action: FormAction, data: Record<string, unknown>): void;
}

/** The form of a human task. */
export function TaskForm({ form, initialData, disabled, serverErrors, onSubmit }: TaskFormProps) {
  const uiSchema = useMemo(() => layoutToUiSchema(form), [form]);
  const schema = useMemo(() => rjsfSchema(form.schema), [form]);
  const actions = formActions(form);
  const [data, setData] = useState<Record<string, unknown>>(initialData ?? {});
  const [localErrors, setLocalErrors] = useState<ErrorSchema | undefined>();
  const pending = useRef<FormAction>(actions[0]!);
  const extraErrors = useMemo(
    () => (localErrors || serverErrors ? ({ ...serverErrors, ...localErrors } as ErrorSchema) : undefined),
    [localErrors, serverErrors],
  );
  return (
    <Form
      schema={schema}
      uiSchema={uiSchema}
      validator={validator}
      formData={data}
      disabled={disabled}
      templates={{ ObjectFieldTemplate: SectionedObject, ErrorListTemplate: ErrorSummary }}
      extraErrors={extraErrors}
      showErrorList="top"
      noHtml5Validate
      focusOnFirstError
      // The errors are shown on the fields and listed above the form (without a handler rjsf logs them).
      onError={() => setLocalErrors(undefined)}
      onChange={(e) => setData((e.formData ?? {}) as Record<string, unknown>)}
      onSubmit={(e) => {
        const action = pending.current;
        const submitted = (e.formData ?? {}) as Record<string, unknown>;
        const missing = missingRequired(action, submitted);
        if (Object.keys(missing).length > 0) {
          setLocalErrors(missing);
          return;
        }
        setLocalErrors(undefined);
        onSubmit(action, submitted);
      }}
    >
      <div className="actions" role="group" aria-label="Actions">
        {actions.map((a, i) => (
          <button
            // By position: a form being edited (the Forms page's preview) may repeat an id until it is saved.
            key={i}
            type="submit"
            className={`btn ${a.style ?? 'default'}`}
            disabled={disabled}
            data-action={a.id}
            onClick={() => {
              pending.current = a;
            }}
          >
            {a.label}
          </button>
        ))}
      </div>
    </Form>
  );
}
