/**
 * The inbox: human tasks assigned to me or offered to me and my roles (GET /human-tasks?scope=...), filtered by
 * status, definition, assignee and due time, newest first or soonest due first; every filter lives in the URL.
 */
import { useState, type FormEvent } from 'react';
import { api, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link, navigate, useLocation } from '../lib/router';
import { ErrorBox, MoreButton, PageHeader, Status, Time, toIso, useLoad } from '../lib/ui';

/** A task as the list answers it. */
export interface TaskSummary {
  id: string;
  workflow_instance_id: string;
  workflow_id: string;
  step_id: string;
  status: string;
  title: string;
  assignee: string | null;
  candidate_users: string[];
  candidate_roles: string[];
  due_at: string | null;
  created_at: string;
  completed_at: string | null;
}

const SCOPES = [
  { id: 'inbox', label: 'Inbox', help: 'Assigned to me, and unclaimed tasks offered to me or my roles' },
  { id: 'mine', label: 'Assigned to me', help: 'Tasks I have claimed or that were assigned to me' },
  { id: 'available', label: 'Available', help: 'Unclaimed tasks I may claim' },
  { id: 'all', label: 'All', help: 'Every task (administrators)' },
] as const;

const SORTS = [
  { id: 'created', label: 'Newest first' },
  { id: 'due', label: 'Due soonest' },
] as const;

/** Who may work on a task, in one line. */
export function whoText(t: Pick<TaskSummary, 'assignee' | 'candidate_users' | 'candidate_roles'>): string {
  if (t.assignee) return t.assignee;
  const parts = [...(t.candidate_users ?? []), ...(t.candidate_roles ?? []).map((r) => `role ${r}`)];
  return parts.length ? `unclaimed: ${parts.join(', ')}` : 'unclaimed';
}

/** The filters of the form (URL parameters of the same names). */
const FILTERS = ['workflow_id', 'assignee', 'due_before'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

export function InboxPage() {
  const me = useMe();
  const { search } = useLocation();
  const scope = search.get('scope') ?? 'inbox';
  const status = search.get('status') ?? 'waiting';
  const sort = search.get('sort') === 'due' ? 'due' : 'created';
  const cursor = search.get('cursor') ?? undefined;
  const filters = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Filters;
  const [draft, setDraft] = useState(filters);
  const tasks = useLoad(
    () =>
      api<Page<TaskSummary>>('/human-tasks', {
        query: {
          scope,
          status,
          workflow_id: filters.workflow_id || undefined,
          assignee: filters.assignee || undefined,
          due_before: toIso(filters.due_before),
          sort,
          cursor,
          limit: 50,
        },
      }),
    [search.toString()],
    { pollMs: 5000, poll: () => true },
  );
  const go = (next: Record<string, string | undefined>) => {
    const q = new URLSearchParams({ scope, status, sort, ...filters, ...next } as Record<string, string>);
    if (q.get('sort') === 'created') q.delete('sort');
    for (const [k, v] of [...q.entries()]) if (!v || v === 'undefined') q.delete(k);
    navigate(`/inbox?${q.toString()}`);
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    go({ ...draft, cursor: undefined });
  };
  const field = (name: (typeof FILTERS)[number]) => ({
    id: `inbox-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });
  const scopes = SCOPES.filter((s) => s.id !== 'all' || can(me, 'human_tasks:admin'));
  return (
    <>
      <PageHeader title="Inbox" />
      <div className="toolbar">
        <div role="group" aria-label="Which tasks" className="segmented">
          {scopes.map((s) => (
            <button
              key={s.id}
              type="button"
              className="btn"
              aria-pressed={scope === s.id}
              title={s.help}
              onClick={() => go({ scope: s.id, cursor: undefined })}
            >
              {s.label}
            </button>
          ))}
        </div>
        <label className="inline">
          Status{' '}
          <select value={status} onChange={(e) => go({ status: e.target.value, cursor: undefined })}>
            {['waiting', 'completed', 'cancelled'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="inline">
          Order{' '}
          <select value={sort} onChange={(e) => go({ sort: e.target.value, cursor: undefined })}>
            {SORTS.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filter tasks">
        <div>
          <label htmlFor="inbox-workflow_id">Definition</label>
          <input {...field('workflow_id')} placeholder="workflow id" />
        </div>
        <div>
          <label htmlFor="inbox-assignee">Assignee</label>
          <input {...field('assignee')} placeholder="username" />
        </div>
        <div>
          <label htmlFor="inbox-due_before">Due before</label>
          <input type="datetime-local" {...field('due_before')} />
        </div>
        <div className="filter-buttons">
          <button type="submit" className="btn primary">
            Apply
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              const empty = Object.fromEntries(FILTERS.map((f) => [f, ''])) as Filters;
              setDraft(empty);
              go({ ...empty, cursor: undefined });
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorBox error={tasks.error} />
      <table className="list" aria-label="Tasks">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Workflow</th>
            <th scope="col">Who</th>
            <th scope="col" aria-sort={sort === 'due' ? 'ascending' : undefined}>
              Due
            </th>
            <th scope="col" aria-sort={sort === 'created' ? 'descending' : undefined}>
              Created
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {tasks.data?.items.map((t) => (
            <tr key={t.id} data-testid="task-row">
              <td>
                <Link to={`/tasks/${t.id}`}>{t.title || t.step_id}</Link>
              </td>
              <td>
                <Link to={`/runs/${t.workflow_instance_id}`}>{t.workflow_id}</Link>
                <div className="muted small">{t.step_id}</div>
              </td>
              <td>{whoText(t)}</td>
              <td className={t.due_at && new Date(t.due_at) < new Date() && t.status === 'waiting' ? 'overdue' : ''}>
                <Time value={t.due_at} />
              </td>
              <td>
                <Time value={t.created_at} />
              </td>
              <td>
                <Status status={t.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {tasks.data && tasks.data.items.length === 0 && <p className="empty">No tasks here.</p>}
      <MoreButton cursor={tasks.data?.next_cursor} onMore={(c) => go({ cursor: c })} />
    </>
  );
}
