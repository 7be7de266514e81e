/**
 * Workflow definitions: the list (grouped by definition), and one definition's versions with activate /
 * deprecate, its JSON, and editing: validate, save a draft (If-Match), save as a new version. The API's 422
 * field errors are listed by JSON pointer.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, apiWithEtag, type FieldError, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link, navigate, useLocation } from '../lib/router';
import { ErrorBox, MoreButton, PageHeader, Status, Time, useLoad } from '../lib/ui';

/** A workflow definition version as answered. */
interface DefinitionVersion {
  id: string;
  workflow_id: string;
  version: string;
  status: string;
  name?: string;
  description?: string | null;
  definition: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  activated_at?: string | null;
  deprecated_at?: string | null;
}

export function DefinitionsPage() {
  const { search } = useLocation();
  const text = search.get('search') ?? '';
  const status = search.get('status') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(text);
  const list = useLoad(
    () =>
      api<Page<DefinitionVersion>>('/workflow-definitions', { query: { search: text, status, cursor, limit: 100 } }),
    [text, status, cursor],
  );
  const go = (next: Record<string, string>) => {
    const q = new URLSearchParams({ search: text, status, ...next });
    for (const [k, v] of [...q.entries()]) if (!v) q.delete(k);
    navigate(`/definitions?${q.toString()}`);
  };
  const groups = new Map<string, DefinitionVersion[]>();
  for (const d of list.data?.items ?? []) groups.set(d.workflow_id, [...(groups.get(d.workflow_id) ?? []), d]);
  return (
    <>
      <PageHeader title="Workflow definitions" />
      <form
        className="filters"
        aria-label="Filter definitions"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          go({ search: draft, cursor: '' });
        }}
      >
        <div>
          <label htmlFor="defs-search">Name</label>
          <input id="defs-search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </div>
        <div>
          <label htmlFor="defs-status">Status</label>
          <select id="defs-status" value={status} onChange={(e) => go({ status: e.target.value, cursor: '' })}>
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
      <table className="list" aria-label="Definitions">
        <thead>
          <tr>
            <th scope="col">Definition</th>
            <th scope="col">Name</th>
            <th scope="col">Versions</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {[...groups.entries()].map(([wf, versions]) => (
            <tr key={wf} data-testid="definition-row">
              <td>
                <Link to={`/definitions/${encodeURIComponent(wf)}`} className="mono">
                  {wf}
                </Link>
              </td>
              <td>{versions[0]!.name ?? ''}</td>
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
      {list.data && list.data.items.length === 0 && <p className="empty">No definitions.</p>}
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

export function DefinitionPage({ workflowId }: { workflowId: string }) {
  const me = useMe();
  const writer = can(me, 'workflow_definitions:write');
  const base = `/workflow-definitions/${encodeURIComponent(workflowId)}`;
  const versions = useLoad(() => api<{ items: DefinitionVersion[] }>(`${base}/versions`), [workflowId]);
  const { search } = useLocation();
  const items = versions.data?.items ?? [];
  const chosen = search.get('version') ?? items[items.length - 1]?.version;
  const current = useLoad(
    () =>
      chosen
        ? apiWithEtag<DefinitionVersion>(`${base}/versions/${encodeURIComponent(chosen)}`)
        : Promise.resolve(undefined),
    [chosen, versions.data],
  );
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (current.data) setText(JSON.stringify(current.data.body.definition, null, 2));
  }, [current.data]);
  const v = current.data?.body;

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

  return (
    <>
      <PageHeader title={<span className="mono">{workflowId}</span>} />
      <ErrorBox error={versions.error} />
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <table className="list" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Activated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-testid={`version-${d.version}`} aria-current={d.version === chosen}>
                <td>
                  <Link to={`/definitions/${encodeURIComponent(workflowId)}?version=${encodeURIComponent(d.version)}`}>
                    v{d.version}
                  </Link>
                </td>
                <td>
                  <Status status={d.status} />
                </td>
                <td>
                  <Time value={d.created_at} />
                </td>
                <td>
                  <Time value={d.activated_at} />
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
                  <Link className="btn small" to={`/runs?definition=${encodeURIComponent(workflowId)}`}>
                    Runs
                  </Link>
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
      {v && (
        <section className="card" aria-labelledby="json-title">
          <h2 id="json-title">
            Version {v.version} <Status status={v.status} />
          </h2>
          <label htmlFor="definition-json">Definition JSON</label>
          <textarea
            id="definition-json"
            className="code"
            spellCheck={false}
            rows={24}
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
                  const res = await api<{ valid: boolean; errors: FieldError[] }>('/workflow-definitions/validate', {
                    method: 'POST',
                    body: parsed(),
                  });
                  setErrors(res.errors);
                  return res.valid ? 'The definition is valid.' : 'The definition has errors.';
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
                    const doc = parsed();
                    const created = await api<DefinitionVersion>(`${base}/versions`, { method: 'POST', body: doc });
                    versions.reload();
                    navigate(
                      `/definitions/${encodeURIComponent(workflowId)}?version=${encodeURIComponent(created.version)}`,
                    );
                    return `Version ${created.version} created as a draft.`;
                  })
                }
              >
                Save as new version
              </button>
            )}
          </div>
          <p className="muted small">
            Active versions are immutable: change the version number in the JSON and save it as a new version.
          </p>
        </section>
      )}
    </>
  );
}
