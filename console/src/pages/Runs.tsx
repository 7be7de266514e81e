/** Runs: the list of workflow instances with filters (definition, status, correlation key, time range). */
import { useState, type FormEvent } from 'react';
import { api, type Page } from '../lib/api';
import { Link, navigate, useLocation } from '../lib/router';
import { ErrorBox, MoreButton, PageHeader, Status, Time, toIso, useLoad } from '../lib/ui';

/** A run as the API answers it. */
export interface Run {
  id: string;
  workflow_id: string;
  run_id: string | null;
  status: string;
  definition: { id: string; workflow_id: string; version: string };
  input?: unknown;
  output?: unknown;
  error?: unknown;
  variables?: Record<string, unknown>;
  current_steps?: string[];
  correlation_key: string | null;
  business_key: string | null;
  trigger?: { kind?: string; eventId?: string; triggerId?: string; startedBy?: string } | null;
  parent_instance_id?: string | null;
  /** Flow control (#15): the definition's concurrency key of the run, a queued run's place, the priority key. */
  concurrency_key?: string | null;
  queue_seq?: number | null;
  priority?: number | null;
  started_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
  temporal_ui_url: string;
  tasks?: TaskExecution[];
}

/** One task_instances row of a run. */
export interface TaskExecution {
  id: string;
  step_id: string;
  step_path: string | null;
  step_type: string;
  task_id: string | null;
  status: string;
  attempt: number;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  temporal_activity_id?: string | null;
}

export const RUN_STATUSES = [
  'queued',
  'pending',
  'running',
  'waiting',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
];
const FILTERS = ['definition', 'status', 'correlation_key', 'created_after', 'created_before'] as const;

export function RunsPage() {
  const { search } = useLocation();
  const q = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const cursor = search.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(q);
  const runs = useLoad(
    () =>
      api<Page<Run>>('/workflow-instances', {
        query: {
          definition: q.definition,
          status: q.status,
          correlation_key: q.correlation_key,
          created_after: toIso(q.created_after),
          created_before: toIso(q.created_before),
          cursor,
          limit: 50,
        },
      }),
    [search.toString()],
    { pollMs: 5000, poll: () => true },
  );
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const f of FILTERS) if (draft[f]) next.set(f, draft[f]);
    navigate(`/runs?${next.toString()}`);
  };
  const field = (name: (typeof FILTERS)[number]) => ({
    id: `runs-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });
  return (
    <>
      <PageHeader title="Runs" />
      <form className="filters" onSubmit={apply} aria-label="Filter runs">
        <div>
          <label htmlFor="runs-definition">Definition</label>
          <input {...field('definition')} placeholder="workflow id" />
        </div>
        <div>
          <label htmlFor="runs-status">Status</label>
          <select {...field('status')}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="runs-correlation_key">Correlation key</label>
          <input {...field('correlation_key')} />
        </div>
        <div>
          <label htmlFor="runs-created_after">Created after</label>
          <input type="datetime-local" {...field('created_after')} />
        </div>
        <div>
          <label htmlFor="runs-created_before">Created before</label>
          <input type="datetime-local" {...field('created_before')} />
        </div>
        <div className="filter-buttons">
          <button type="submit" className="btn primary">
            Apply
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDraft(Object.fromEntries(FILTERS.map((f) => [f, ''])) as typeof q);
              navigate('/runs');
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorBox error={runs.error} />
      <table className="list" aria-label="Runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Definition</th>
            <th scope="col">Status</th>
            <th scope="col">Correlation key</th>
            <th scope="col">Started</th>
            <th scope="col">Completed</th>
          </tr>
        </thead>
        <tbody>
          {runs.data?.items.map((r) => (
            <tr key={r.id} data-testid="run-row">
              <td>
                <Link to={`/runs/${r.id}`} className="mono">
                  {r.id.slice(0, 8)}
                </Link>
                {r.business_key && <div className="muted small">{r.business_key}</div>}
              </td>
              <td>
                {r.definition.workflow_id} <span className="muted">v{r.definition.version}</span>
              </td>
              <td>
                <Status status={r.status} />
              </td>
              <td className="mono">{r.correlation_key ?? '—'}</td>
              <td>
                <Time value={r.started_at ?? r.created_at} />
              </td>
              <td>
                <Time value={r.completed_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.data && runs.data.items.length === 0 && <p className="empty">No runs match.</p>}
      <MoreButton
        cursor={runs.data?.next_cursor}
        onMore={(c) => {
          const next = new URLSearchParams(search);
          next.set('cursor', c);
          navigate(`/runs?${next.toString()}`);
        }}
      />
    </>
  );
}
