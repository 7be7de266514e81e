/**
 * Workflow definitions: the list (grouped by definition), and one definition's versions with activate /
 * deprecate, its JSON, and editing: validate, save a draft (If-Match), save as a new version
 * (lib/versioned.tsx).
 */
import { useState, type FormEvent } from 'react';
import { api, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link, navigate, useLocation } from '../lib/router';
import { ErrorBox, MoreButton, PageHeader, Status, Time, useLoad } from '../lib/ui';
import { VersionedDocument } from '../lib/versioned';

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

export function DefinitionPage({ workflowId }: { workflowId: string }) {
  const me = useMe();
  return (
    <>
      <PageHeader title={<span className="mono">{workflowId}</span>} />
      <VersionedDocument<DefinitionVersion>
        base={`/workflow-definitions/${encodeURIComponent(workflowId)}`}
        validatePath="/workflow-definitions/validate"
        pagePath={`/definitions/${encodeURIComponent(workflowId)}`}
        noun="definition"
        editor={{ label: 'Definition JSON', id: 'definition-json', rows: 24 }}
        writer={can(me, 'workflow_definitions:write')}
        toDocument={(d) => d.definition}
        dateColumn={{ title: 'Activated', value: (d) => d.activated_at }}
        rowActions={() => (
          <Link className="btn small" to={`/runs?definition=${encodeURIComponent(workflowId)}`}>
            Runs
          </Link>
        )}
        note="Active versions are immutable: change the version number in the JSON and save it as a new version."
      />
    </>
  );
}
