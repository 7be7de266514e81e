/** Schedules (over Temporal Schedules): list with their spec and policy, pause/unpause and trigger now. */
import { useState } from 'react';
import { api, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link, navigate, useLocation } from '../lib/router';
import { ErrorBox, MoreButton, PageHeader, Status, Time, useLoad } from '../lib/ui';

interface Schedule {
  id: string;
  schedule_id: string;
  workflow_id: string;
  workflow_version: string | null;
  description: string | null;
  spec: { cron?: string | string[]; intervals?: Array<{ every: string; offset?: string }>; time_zone?: string };
  policies: { overlap?: string; pause_on_failure?: boolean };
  status: 'active' | 'paused';
  note: string | null;
  created_at: string;
}

/** "0 9 * * 1-5 (Europe/Berlin), every 15m": the spec in one line. */
function when(spec: Schedule['spec']): string {
  const cron = spec.cron === undefined ? [] : Array.isArray(spec.cron) ? spec.cron : [spec.cron];
  const every = (spec.intervals ?? []).map((i) => `every ${i.every}${i.offset ? ` + ${i.offset}` : ''}`);
  const parts = [...cron, ...every].join(', ');
  return spec.time_zone ? `${parts} (${spec.time_zone})` : parts;
}

export function SchedulesPage() {
  const me = useMe();
  const writer = can(me, 'schedules:write');
  const trigger = can(me, 'schedules:trigger');
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const schedules = useLoad(
    () => api<Page<Schedule>>('/schedules', { query: { status, cursor, limit: 50 } }),
    [status, cursor],
  );
  const act = async (s: Schedule, verb: 'pause' | 'unpause' | 'trigger') => {
    setError(null);
    setNotice(null);
    try {
      await api(`/schedules/${s.id}/${verb}`, { method: 'POST', body: {} });
      setNotice(
        verb === 'trigger'
          ? `Schedule ${s.schedule_id} triggered: its run starts now.`
          : `Schedule ${s.schedule_id} ${verb === 'pause' ? 'paused' : 'unpaused'}.`,
      );
      schedules.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageHeader title="Schedules" />
      <div className="toolbar">
        <label className="inline">
          Status{' '}
          <select
            value={status}
            onChange={(e) => navigate(e.target.value ? `/schedules?status=${e.target.value}` : '/schedules')}
          >
            <option value="">all</option>
            <option>active</option>
            <option>paused</option>
          </select>
        </label>
      </div>
      {notice && (
        <div role="status" className="notice">
          {notice}
        </div>
      )}
      <ErrorBox error={error ?? schedules.error} />
      <table className="list" aria-label="Schedules">
        <thead>
          <tr>
            <th scope="col">Schedule</th>
            <th scope="col">Definition</th>
            <th scope="col">When</th>
            <th scope="col">Overlap</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            {(writer || trigger) && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {schedules.data?.items.map((s) => (
            <tr key={s.id} data-testid="schedule-row" data-id={s.id}>
              <td>
                <span className="mono small">{s.schedule_id}</span>
                {s.description && <div className="small muted">{s.description}</div>}
              </td>
              <td>
                <Link to={`/definitions/${encodeURIComponent(s.workflow_id)}`}>{s.workflow_id}</Link>
                {s.workflow_version && <span className="small muted"> @{s.workflow_version}</span>}
              </td>
              <td className="mono small">{when(s.spec)}</td>
              <td>{s.policies.overlap ?? 'skip'}</td>
              <td>
                <Status status={s.status} />
                {s.note && <div className="small muted">{s.note}</div>}
              </td>
              <td>
                <Time value={s.created_at} />
              </td>
              {(writer || trigger) && (
                <td className="row-actions">
                  {writer && (
                    <button
                      type="button"
                      className="btn small"
                      onClick={() => act(s, s.status === 'paused' ? 'unpause' : 'pause')}
                    >
                      {s.status === 'paused' ? 'Unpause' : 'Pause'}
                    </button>
                  )}
                  {trigger && (
                    <button type="button" className="btn small" onClick={() => act(s, 'trigger')}>
                      Trigger now
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {schedules.data && schedules.data.items.length === 0 && <p className="empty">No schedules.</p>}
      <MoreButton
        cursor={schedules.data?.next_cursor}
        onMore={(c) => navigate(`/schedules?${new URLSearchParams({ ...(status && { status }), cursor: c })}`)}
      />
    </>
  );
}
