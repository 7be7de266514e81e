/**
 * A run's log lines (GET /observability/logs?workflow_instance_id=...), newest first, 50 a page: a minimum level
 * and a text search (a case-insensitive substring of the message), applied with the Search button or Enter.
 */
import { useRef, useState, type FormEvent } from 'react';
import { api, type Page } from '../lib/api';
import { ErrorBox, MoreButton, Time, useLoad } from '../lib/ui';

/** A stored log line (the fields shown). */
export interface LogLine {
  id: string;
  timestamp: string;
  level: string;
  message: string;
  service: string | null;
  step_id: string | null;
  trace_id: string | null;
  attributes: Record<string, unknown>;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'];
const LEVEL_CLASS: Record<string, string> = {
  trace: 'status-cancelled',
  debug: 'status-cancelled',
  info: 'status-running',
  warn: 'status-waiting',
  error: 'status-failed',
  fatal: 'status-failed',
};

/** The Logs section of the run view; `version` changes (the run's updated_at) reload the first page. */
export function RunLogs({ runId, version }: { runId: string; version: string }) {
  const [draft, setDraft] = useState({ min_level: '', q: '' });
  const [filter, setFilter] = useState(draft);
  // Older pages fetched with "Next page"; while any is shown, a refresh of the run does not reload the first page
  // (new lines would shift the pages under the reader).
  const [older, setOlder] = useState<{ lines: LogLine[]; cursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const query = { workflow_instance_id: runId, limit: 50, min_level: filter.min_level, q: filter.q };
  const shownVersion = useRef(version);
  if (!older) shownVersion.current = version;
  const first = useLoad(
    () => api<Page<LogLine>>('/observability/logs', { query }),
    [runId, filter, shownVersion.current],
  );
  const lines = [...(first.data?.items ?? []), ...(older?.lines ?? [])];
  const cursor = older ? older.cursor : first.data?.next_cursor;
  const loadMore = async (c: string) => {
    setMoreError(null);
    try {
      const page = await api<Page<LogLine>>('/observability/logs', { query: { ...query, cursor: c } });
      setOlder({ lines: [...(older?.lines ?? []), ...page.items], cursor: page.next_cursor });
    } catch (err) {
      setMoreError(err);
    }
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setOlder(null);
    setFilter(draft);
  };
  return (
    <section className="card" aria-labelledby="logs-title">
      <h2 id="logs-title">Logs</h2>
      <form className="filters compact" onSubmit={apply} aria-label="Filter the run's logs">
        <div>
          <label htmlFor="logs-level">Level at least</label>
          <select
            id="logs-level"
            value={draft.min_level}
            onChange={(e) => setDraft({ ...draft, min_level: e.target.value })}
          >
            <option value="">any</option>
            {LEVELS.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="logs-q">Message contains</label>
          <input
            id="logs-q"
            type="search"
            maxLength={200}
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
          />
        </div>
        <div className="filter-buttons">
          <button type="submit" className="btn primary">
            Search
          </button>
        </div>
      </form>
      <ErrorBox error={first.error ?? moreError} />
      {first.data && lines.length === 0 ? (
        <p className="muted">No log line{filter.min_level || filter.q ? ' matches' : ' stored for this run'}.</p>
      ) : (
        <table className="list logs" aria-label="Log lines of the run">
          <thead>
            <tr>
              <th scope="col">At</th>
              <th scope="col">Level</th>
              <th scope="col">Step</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.id} data-testid="log-line" data-level={l.level}>
                <td className="small nowrap">
                  <Time value={l.timestamp} />
                </td>
                <td>
                  <span className={`badge ${LEVEL_CLASS[l.level] ?? ''}`}>{l.level}</span>
                </td>
                <td className="mono small">{l.step_id ?? ''}</td>
                <td className="log-message" title={l.service ?? undefined}>
                  {l.message}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton cursor={cursor} onMore={(c) => void loadMore(c)} />
    </section>
  );
}
