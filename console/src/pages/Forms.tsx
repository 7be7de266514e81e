/**
 * Forms (UI components, docs/ui-components.md): the list (grouped by component), and one component's versions
 * with activate / deprecate, its JSON with validate / save draft / save as new version (lib/versioned.tsx), and
 * beside it a live preview: the form as a task will render it (the same TaskForm, layout and validator),
 * submitted only to the page.
 */
import { Component, useDeferredValue, useMemo, useState, type ReactNode } from 'react';
import { UI_COMPONENT_DOCUMENT_FIELDS } from '../../../common/contracts/human-tasks';
import type { FormAction, FormSnapshot } from '../form/layout';
import { TaskForm } from '../form/TaskForm';
import { can, useMe } from '../lib/me';
import { errorText, Json, PageHeader } from '../lib/ui';
import { VersionedDocument, VersionedList } from '../lib/versioned';

/** A UI component version as answered (the document plus lifecycle fields). */
interface UiComponent {
  id: string;
  component_id: string;
  version: string;
  name: string;
  description?: string;
  component_type: string;
  form_schema?: Record<string, unknown> | boolean;
  ui_schema?: Record<string, unknown>;
  layout?: FormSnapshot['layout'];
  actions?: FormAction[];
  status: string;
  created_at: string;
  updated_at: string;
}

/** The editable document of a component version. */
export function componentDocument(c: UiComponent): Record<string, unknown> {
  return Object.fromEntries(UI_COMPONENT_DOCUMENT_FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, c[f]]));
}

/** A component document as the form a task would snapshot (or why it cannot be previewed). */
export function previewSnapshot(doc: Record<string, unknown>): FormSnapshot | string {
  const schema = doc.form_schema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return 'Nothing to preview: the component has no object form_schema.';
  return {
    componentId: String(doc.component_id ?? ''),
    version: String(doc.version ?? ''),
    name: String(doc.name ?? ''),
    schema: schema as Record<string, unknown>,
    layout: (doc.layout ?? {}) as FormSnapshot['layout'],
    actions: Array.isArray(doc.actions) ? (doc.actions as FormAction[]) : [],
    ...(typeof doc.ui_schema === 'object' && doc.ui_schema !== null
      ? { uiSchema: doc.ui_schema as Record<string, unknown> }
      : {}),
  };
}

export function FormsPage() {
  return (
    <>
      <PageHeader title="Forms" />
      <p className="muted">
        The UI components human tasks render: a JSON Schema of the data, a layout and the actions a person may take.
      </p>
      <VersionedList<UiComponent>
        path="/ui-components"
        pagePath="/forms"
        label="Forms"
        noun="Form"
        idPrefix="forms"
        rowTestId="form-row"
        idOf={(c) => c.component_id}
        columns={[
          { title: 'Name', cell: (c) => c.name },
          { title: 'Type', cell: (c) => c.component_type },
        ]}
        empty="No forms."
      />
    </>
  );
}

/** Keeps a form that rjsf cannot render (a schema it does not understand) from taking the page down. */
class PreviewBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  state = { error: null as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  render() {
    return this.state.error ? (
      <p role="alert" className="error-box">
        The preview cannot render this form: {errorText(this.state.error)}
      </p>
    ) : (
      this.props.children
    );
  }
}

/**
 * The form rendered from the editor's JSON; a submission is shown, not sent. The preview follows the text at a
 * lower priority (useDeferredValue): typing in a large form's JSON is not held up by re-rendering the form at each
 * keystroke; React renders the preview of the latest text when the typing pauses.
 */
function Preview({ text: typed }: { text: string }) {
  const text = useDeferredValue(typed);
  // A submission belongs to the JSON it was made with: an edit hides it.
  const [last, setLast] = useState<{ text: string; action: string; data: unknown } | null>(null);
  const submitted = last?.text === text ? last : null;
  const snapshot = useMemo(() => {
    try {
      const doc: unknown = JSON.parse(text);
      return typeof doc === 'object' && doc !== null && !Array.isArray(doc)
        ? previewSnapshot(doc as Record<string, unknown>)
        : 'Nothing to preview: the JSON is not an object.';
    } catch (err) {
      return `The JSON does not parse: ${(err as Error).message}`;
    }
  }, [text]);
  return (
    <section className="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <p className="muted small">
        The form as a task shows it, validated as in the inbox. Submitting here sends nothing: it shows what the run
        would receive.
      </p>
      {typeof snapshot === 'string' ? (
        <p className="muted">{snapshot}</p>
      ) : (
        <PreviewBoundary key={text}>
          <TaskForm form={snapshot} onSubmit={(a, data) => setLast({ text, action: a.id, data })} />
        </PreviewBoundary>
      )}
      {submitted && (
        <div role="status" className="notice">
          <p>
            Preview of a submission: action <code>{submitted.action}</code>, data:
          </p>
          <Json value={submitted.data} label="Submitted data" />
        </div>
      )}
    </section>
  );
}

export function FormPage({ componentId }: { componentId: string }) {
  const me = useMe();
  return (
    <>
      <PageHeader title={<span className="mono">{componentId}</span>} />
      <VersionedDocument<UiComponent>
        base={`/ui-components/${encodeURIComponent(componentId)}`}
        validatePath="/ui-components/validate"
        pagePath={`/forms/${encodeURIComponent(componentId)}`}
        noun="form"
        editor={{ label: 'Form JSON', id: 'form-json', rows: 28 }}
        writer={can(me, 'ui_components:write')}
        toDocument={componentDocument}
        dateColumn={{ title: 'Updated', value: (c) => c.updated_at }}
        aside={(text) => <Preview text={text} />}
        note="Active versions are immutable: change the version in the JSON and save it as a new version. Open tasks keep the version they opened with."
      />
    </>
  );
}
