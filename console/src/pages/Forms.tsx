/**
 * Forms (UI components, docs/ui-components.md): the list (grouped by component), and one component's versions
 * with activate / deprecate, its JSON with validate / save draft / save as new version (lib/versioned.tsx), and
 * beside it a live preview: the form as a task will render it (the same TaskForm, layout and validator),
 * submitted only to the page.
 */
import { Component, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { FormAction, FormSnapshot } from '../form/layout';
import { TaskForm } from '../form/TaskForm';
import { api, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link, navigate, useLocation } from '../lib/router';
import { ErrorBox, errorText, Json, MoreButton, PageHeader, Status, Time, useLoad } from '../lib/ui';
import { VersionedDocument } from '../lib/versioned';

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

/** The members of a component that are its document (what is written back); the rest is lifecycle. */
const DOCUMENT_FIELDS = [
  'component_id',
  'version',
  'name',
  'description',
  'component_type',
  'form_schema',
  'ui_schema',
  'layout',
  'actions',
] as const;

/** The editable document of a component version. */
export function componentDocument(c: UiComponent): Record<string, unknown> {
  return Object.fromEntries(DOCUMENT_FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, c[f]]));
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
  const { search } = useLocation();
  const text = search.get('search') ?? '';
  const status = search.get('status') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(text);
  const list = useLoad(
    () => api<Page<UiComponent>>('/ui-components', { query: { search: text, status, cursor, limit: 100 } }),
    [text, status, cursor],
  );
  const go = (next: Record<string, string>) => {
    const q = new URLSearchParams({ search: text, status, ...next });
    for (const [k, v] of [...q.entries()]) if (!v) q.delete(k);
    navigate(`/forms?${q.toString()}`);
  };
  const groups = new Map<string, UiComponent[]>();
  for (const c of list.data?.items ?? []) groups.set(c.component_id, [...(groups.get(c.component_id) ?? []), c]);
  return (
    <>
      <PageHeader title="Forms" />
      <p className="muted">
        The UI components human tasks render: a JSON Schema of the data, a layout and the actions a person may take.
      </p>
      <form
        className="filters"
        aria-label="Filter forms"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          go({ search: draft, cursor: '' });
        }}
      >
        <div>
          <label htmlFor="forms-search">Name</label>
          <input id="forms-search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </div>
        <div>
          <label htmlFor="forms-status">Status</label>
          <select id="forms-status" value={status} onChange={(e) => go({ status: e.target.value, cursor: '' })}>
            <option value="">any</option>
            <option>draft</option>
            <option>active</option>
            <option>deprecated</option>
          </select>
        </div>
        <div className="filter-buttons">
          <button type="submit" className="btn primary">
            Search
          </button>
        </div>
      </form>
      <ErrorBox error={list.error} />
      <table className="list" aria-label="Forms">
        <thead>
          <tr>
            <th scope="col">Form</th>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Versions</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {[...groups.entries()].map(([id, versions]) => (
            <tr key={id} data-testid="form-row">
              <td>
                <Link to={`/forms/${encodeURIComponent(id)}`} className="mono">
                  {id}
                </Link>
              </td>
              <td>{versions[0]!.name}</td>
              <td>{versions[0]!.component_type}</td>
              <td>
                {versions.map((v) => (
                  <span key={v.id} className="version-chip">
                    v{v.version} <Status status={v.status} />
                  </span>
                ))}
              </td>
              <td>
                <Time value={versions[0]!.updated_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && list.data.items.length === 0 && <p className="empty">No forms.</p>}
      <MoreButton cursor={list.data?.next_cursor} onMore={(c) => go({ cursor: c })} />
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

/** The form rendered from the editor's JSON; a submission is shown, not sent. */
function Preview({ text }: { text: string }) {
  const [submitted, setSubmitted] = useState<{ action: string; data: unknown } | null>(null);
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
  useEffect(() => setSubmitted(null), [text]);
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
          <TaskForm key={text} form={snapshot} onSubmit={(a, data) => setSubmitted({ action: a.id, data })} />
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
