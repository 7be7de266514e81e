/** Events (the event store, newest first) and dead letters (redrive, discard). */
import { useState, type FormEvent } from 'react';
import { api, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { navigate, useLocation } from '../lib/router';
import { ErrorBox, Json, MoreButton, PageHeader, Status, Time, useLoad } from '../lib/ui';

interface StoredEvent {
  id: string;
  eventId: string;
  pattern: string;
  version?: string | null;
  timestamp: string;
  payload: unknown;
  metadata: Record<string, unknown>;
  delivery?: { status?: string } | null;
}

interface DeadLetter {
  id: string;
  event_id: string;
  consumer?: string;
  status: 'open' | 'redriven' | 'discarded';
  error: unknown;
  attempts?: number;
  redrive_count?: number;
  created_at: string;
}

export function EventsPage() {
  const { search } = useLocation();
  const pattern = search.get('pattern') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(pattern);
  const [open, setOpen] = useState<string | null>(null);
  const events = useLoad(
    () => api<Page<StoredEvent>>('/events', { query: { pattern, cursor, limit: 50 } }),
    [pattern, cursor],
  );
  return (
    <>
      <PageHeader title="Events" />
      <form
        className="filters"
        aria-label="Filter events"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          navigate(draft ? `/events?pattern=${encodeURIComponent(draft)}` : '/events');
        }}
      >
        <div>
          <label htmlFor="events-pattern">Pattern</label>
          <input id="events-pattern" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </div>
        <div className="filter-buttons">
          <button type="submit" className="btn primary">
            Filter
          </button>
        </div>
      </form>
      <ErrorBox error={events.error} />
      <table className="list" aria-label="Events">
        <thead>
          <tr>
            <th scope="col">Event id</th>
            <th scope="col">Pattern</th>
            <th scope="col">At</th>
            <th scope="col">Delivery</th>
            <th scope="col">Payload</th>
          </tr>
        </thead>
        <tbody>
          {events.data?.items.map((e) => (
            <tr key={e.id} data-testid="event-row">
              <td className="mono small">{e.eventId}</td>
              <td>{e.pattern}</td>
              <td>
                <Time value={e.timestamp} />
              </td>
              <td>{e.delivery?.status ? <Status status={e.delivery.status} /> : '—'}</td>
              <td>
                <button
                  type="button"
                  className="btn small"
                  aria-expanded={open === e.id}
                  onClick={() => setOpen(open === e.id ? null : e.id)}
                >
                  {open === e.id ? 'Hide' : 'Show'}
                </button>
                {open === e.id && <Json value={{ payload: e.payload, metadata: e.metadata }} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {events.data && events.data.items.length === 0 && <p className="empty">No events.</p>}
      <MoreButton
        cursor={events.data?.next_cursor}
        onMore={(c) => navigate(`/events?${new URLSearchParams({ ...(pattern && { pattern }), cursor: c })}`)}
      />
    </>
  );
}

export function DeadLettersPage() {
  const me = useMe();
  const writer = can(me, 'dead_letters:write');
  const { search } = useLocation();
  const status = search.get('status') ?? 'open';
  const cursor = search.get('cursor') ?? undefined;
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const letters = useLoad(
    () => api<Page<DeadLetter>>('/dead-letters', { query: { status, cursor, limit: 50 } }),
    [status, cursor],
  );
  const act = async (id: string, verb: 'redrive' | 'discard') => {
    setError(null);
    setNotice(null);
    try {
      await api(`/dead-letters/${id}/${verb}`, { method: 'POST' });
      setNotice(verb === 'redrive' ? 'Dead letter redriven: the event is delivered again.' : 'Dead letter discarded.');
      letters.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageHeader title="Dead letters" />
      <div className="toolbar">
        <label className="inline">
          Status{' '}
          <select value={status} onChange={(e) => navigate(`/dead-letters?status=${e.target.value}`)}>
            <option>open</option>
            <option>redriven</option>
            <option>discarded</option>
          </select>
        </label>
      </div>
      {notice && (
        <div role="status" className="notice">
          {notice}
        </div>
      )}
      <ErrorBox error={error ?? letters.error} />
      <table className="list" aria-label="Dead letters">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Consumer</th>
            <th scope="col">Error</th>
            <th scope="col">Attempts</th>
            <th scope="col">Created</th>
            <th scope="col">Status</th>
            {writer && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {letters.data?.items.map((d) => (
            <tr key={d.id} data-testid="dead-letter-row" data-id={d.id}>
              <td className="mono small">{d.event_id}</td>
              <td>{d.consumer ?? '—'}</td>
              <td className="small">
                {typeof d.error === 'object' && d.error && 'message' in d.error
                  ? String((d.error as { message: unknown }).message)
                  : JSON.stringify(d.error)}
              </td>
              <td>{d.attempts ?? '—'}</td>
              <td>
                <Time value={d.created_at} />
              </td>
              <td>
                <Status status={d.status} />
              </td>
              {writer && (
                <td className="row-actions">
                  {d.status === 'open' && (
                    <>
                      <button type="button" className="btn small" onClick={() => act(d.id, 'redrive')}>
                        Redrive
                      </button>
                      <button type="button" className="btn small danger" onClick={() => act(d.id, 'discard')}>
                        Discard
                      </button>
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {letters.data && letters.data.items.length === 0 && <p className="empty">No {status} dead letters.</p>}
      <MoreButton
        cursor={letters.data?.next_cursor}
        onMore={(c) => navigate(`/dead-letters?status=${status}&cursor=${encodeURIComponent(c)}`)}
      />
    </>
  );
}
