/**
 * Pages of versioned documents (workflow definitions, UI components): the list, one row per document with its
 * versions, filtered by name and status; and one document's versions with activate / deprecate, and the selected
 * version's JSON with validate (a dry run), save draft (If-Match) and save as new version. The API's 422 field
 * errors are listed by JSON pointer. What differs per kind comes in as props.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, apiWithEtag, type FieldError, type Page } from './api';
import { Link, navigate, useLocation } from './router';
import { ErrorBox, MoreButton, Status, Time, useLoad } from './ui';

/** The lifecycle fields every versioned document's answer has. */
export interface VersionRow {
  id: string;
  version: string;
  status: string;
  created_at: string;
}

/** Props of {@link VersionedList}. */
export interface VersionedListProps<T extends VersionRow & { updated_at: string }> {
  /** The API's list route, e.g. `/workflow-definitions` (a page of versions, newest first). */
  path: string;
  /** The console path of the list, e.g. `/definitions`; a document's page is below it. */
  pagePath: string;
  /** What the list is called: the table's and the filter form's accessible names (`Definitions`). */
  label: string;
  /** One document: the id column's title (`Definition`). */
  noun: string;
  /** Prefix of the filter fields' ids. */
  idPrefix: string;
  /** Test id of a row. */
  rowTestId: string;
  /** The document's business id of a version. */
  idOf(row: T): string;
  /** Columns between the id and the versions: title and cell (of the newest version). */
  columns: Array<{ title: string; cell(newest: T): ReactNode }>;
  empty: string;
}

/** The documents with their versions, filtered by name and status (both in the URL), paged. */
export function VersionedList<T extends VersionRow & { updated_at: string }>(props: VersionedListProps<T>) {
  const { search } = useLocation();
  const text = search.get('search') ?? '';
  const status = search.get('status') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(text);
  const list = useLoad(
    () => api<Page<T>>(props.path, { query: { search: text, status, cursor, limit: 100 } }),
    [text, status, cursor],
  );
  const go = (next: Record<string, string>) => {
    const q = new URLSearchParams({ search: text, status, ...next });
    for (const [k, v] of [...q.entries()]) if (!v) q.delete(k);
    navigate(`${props.pagePath}?${q.toString()}`);
  };
  const groups = new Map<string, T[]>();
  for (const d of list.data?.items ?? []) groups.set(props.idOf(d), [...(groups.get(props.idOf(d)) ?? []), d]);
  return (
    <>
      <form
        className="filters"
        aria-label={`Filter ${props.label.toLowerCase()}`}
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          go({ search: draft, cursor: '' });
        }}
      >
        <div>
          <label htmlFor={`${props.idPrefix}-search`}>Name</label>
          <input id={`${props.idPrefix}-search`} value={draft} onChange={(e) => setDraft(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${props.idPrefix}-status`}>Status</label>
          <select
            id={`${props.idPrefix}-status`}
            value={status}
            onChange={(e) => go({ status: e.target.value, cursor: '' })}
          >
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
      <table className="list" aria-label={props.label}>
        <thead>
          <tr>
            <th scope="col">{props.noun}</th>
            {props.columns.map((c) => (
              <th key={c.title} scope="col">
                {c.title}
              </th>
            ))}
            <th scope="col">Versions</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {[...groups.entries()].map(([id, versions]) => (
            <tr key={id} data-testid={props.rowTestId}>
              <td>
                <Link to={`${props.pagePath}/${encodeURIComponent(id)}`} className="mono">
                  {id}
                </Link>
              </td>
              {props.columns.map((c) => (
                <td key={c.title}>{c.cell(versions[0]!)}</td>
              ))}
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
      {list.data && list.data.items.length === 0 && <p className="empty">{props.empty}</p>}
      <MoreButton cursor={list.data?.next_cursor} onMore={(c) => go({ cursor: c })} />
    </>
  );
}

/** Field errors of a failed save or of a validation, listed by pointer. */
export function FieldErrors({ errors, title }: { errors: FieldError[]; title: string }) {
  if (errors.length === 0) return null;
  return (
    <div role="alert" className="error-box" aria-label={title}>
      <strong>{title}</strong>
      <ul>
        {errors.map((e, i) => (
          <li key={i}>
            <code>{e.pointer || '/'}</code> {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Props of {@link VersionedDocument}. */
export interface VersionedDocumentProps<T extends VersionRow> {
  /** API path of the document, e.g. `/workflow-definitions/order-processing`. */
  base: string;
  /** The dry-run validation route, e.g. `/workflow-definitions/validate`. */
  validatePath: string;
  /** Console path of the document's page; `?version=` selects a version. */
  pagePath: string;
  /** What the document is called in notices: `definition`, `form`. */
  noun: string;
  /** Label and id of the JSON editor. */
  editor: { label: string; id: string; rows: number };
  /** Whether the user may change the document. */
  writer: boolean;
  /** The editable document of a version's answer. */
  toDocument(row: T): unknown;
  /** The date column beside Created (title and value). */
  dateColumn: { title: string; value(row: T): string | null | undefined };
  /** More buttons in a version's row. */
  rowActions?(row: T): ReactNode;
  /** Shown beside the editor, given the editor's text (the Forms page's preview). */
  aside?(text: string): ReactNode;
  /** The note under the editor's buttons. */
  note: ReactNode;
}

/** Versions, and the selected version's JSON editor. */
export function VersionedDocument<T extends VersionRow>(props: VersionedDocumentProps<T>) {
  const { base, writer } = props;
  const versions = useLoad(() => api<{ items: T[] }>(`${base}/versions`), [base]);
  const { search } = useLocation();
  const items = versions.data?.items ?? [];
  const chosen = search.get('version') ?? items[items.length - 1]?.version;
  const current = useLoad(
    () => (chosen ? apiWithEtag<T>(`${base}/versions/${encodeURIComponent(chosen)}`) : Promise.resolve(undefined)),
    [chosen, versions.data],
  );
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (current.data) setText(JSON.stringify(props.toDocument(current.data.body), null, 2));
  }, [current.data]);
  const v = current.data?.body;
  const versionPath = (version: string) => `${props.pagePath}?version=${encodeURIComponent(version)}`;

  const run = async (what: () => Promise<string>) => {
    setErrors([]);
    setError(null);
    setNotice(null);
    try {
      setNotice(await what());
    } catch (err) {
      if (err instanceof ApiError && err.errors.length > 0) setErrors(err.errors);
      setError(err);
    }
  };
  const parsed = (): Record<string, unknown> => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ApiError(400, 'The JSON does not parse', (err as Error).message);
    }
  };
  const move = (version: string, verb: 'activate' | 'deprecate') =>
    run(async () => {
      await api(`${base}/versions/${encodeURIComponent(version)}/${verb}`, { method: 'POST' });
      versions.reload();
      return `Version ${version} ${verb === 'activate' ? 'activated' : 'deprecated'}.`;
    });

  const editor = v && (
    <section className="card" aria-labelledby="json-title">
      <h2 id="json-title">
        Version {v.version} <Status status={v.status} />
      </h2>
      <label htmlFor={props.editor.id}>{props.editor.label}</label>
      <textarea
        id={props.editor.id}
        className="code"
        spellCheck={false}
        rows={props.editor.rows}
        value={text}
        readOnly={!writer}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="actions">
        <button
          type="button"
          className="btn"
          onClick={() =>
            run(async () => {
              const res = await api<{ valid: boolean; errors: FieldError[] }>(props.validatePath, {
                method: 'POST',
                body: parsed(),
              });
              setErrors(res.errors);
              return res.valid ? `The ${props.noun} is valid.` : `The ${props.noun} has errors.`;
            })
          }
        >
          Validate
        </button>
        {writer && v.status === 'draft' && (
          <button
            type="button"
            className="btn primary"
            onClick={() =>
              run(async () => {
                await api(`${base}/versions/${encodeURIComponent(v.version)}`, {
                  method: 'PUT',
                  body: parsed(),
                  headers: current.data?.etag ? { 'If-Match': current.data.etag } : {},
                });
                versions.reload();
                return `Draft ${v.version} saved.`;
              })
            }
          >
            Save draft
          </button>
        )}
        {writer && (
          <button
            type="button"
            className="btn"
            onClick={() =>
              run(async () => {
                const created = await api<T>(`${base}/versions`, { method: 'POST', body: parsed() });
                versions.reload();
                navigate(versionPath(created.version));
                return `Version ${created.version} created as a draft.`;
              })
            }
          >
            Save as new version
          </button>
        )}
      </div>
      <p className="muted small">{props.note}</p>
    </section>
  );

  return (
    <>
      <ErrorBox error={versions.error} />
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <table className="list" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">{props.dateColumn.title}</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-testid={`version-${d.version}`} aria-current={d.version === chosen}>
                <td>
                  <Link to={versionPath(d.version)}>v{d.version}</Link>
                </td>
                <td>
                  <Status status={d.status} />
                </td>
                <td>
                  <Time value={d.created_at} />
                </td>
                <td>
                  <Time value={props.dateColumn.value(d)} />
                </td>
                <td className="row-actions">
                  {writer && d.status !== 'active' && (
                    <button type="button" className="btn small" onClick={() => move(d.version, 'activate')}>
                      Activate v{d.version}
                    </button>
                  )}
                  {writer && d.status === 'active' && (
                    <button type="button" className="btn small" onClick={() => move(d.version, 'deprecate')}>
                      Deprecate v{d.version}
                    </button>
                  )}
                  {props.rowActions?.(d)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {notice && (
        <div role="status" className="notice">
          {notice}
        </div>
      )}
      <FieldErrors errors={errors} title="Validation errors" />
      {errors.length === 0 && <ErrorBox error={error} />}
      {editor &&
        (props.aside ? (
          <div className="form-editor">
            {editor}
            {props.aside(text)}
          </div>
        ) : (
          editor
        ))}
    </>
  );
}
