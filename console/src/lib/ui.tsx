/** Small shared pieces of the console's pages: data loading, errors, status badges, JSON, times. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api';

/** State of an async load: the data, the error, and `reload`. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `deps` change (and on `reload()`); with `pollMs`, again every `pollMs` while `poll(data)` is
 * true. A stale answer (deps changed meanwhile) is dropped.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
  opts: { pollMs?: number; poll?: (data: T) => boolean } = {},
): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const mine = ++seq.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => {
        if (mine !== seq.current) return;
        setState({ data, loading: false });
        if (opts.pollMs && opts.poll?.(data)) timer = setTimeout(() => setTick((t) => t + 1), opts.pollMs);
      },
      (error: unknown) => mine === seq.current && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => clearTimeout(timer);
  }, [...deps, tick]);
  return { ...state, reload } as Loaded<T>;
}

/** A readable message of any error (a problem's detail and field errors). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.errors.map((e) => `${e.pointer}: ${e.message}`);
    return [
      `${err.status} ${err.title}${err.detail && err.detail !== err.title ? `: ${err.detail}` : ''}`,
      ...fields,
    ].join('\n');
  }
  return err instanceof Error ? err.message : String(err);
}

/** An error box (role=alert so screen readers announce it). */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div role="alert" className="error-box">
      {errorText(error)}
    </div>
  );
}

/** A coloured status badge. */
export function Status({ status }: { status: string | null | undefined }) {
  const s = status ?? 'unknown';
  return <span className={`badge status-${s}`}>{s.replace(/_/g, ' ')}</span>;
}

/** A JSON value, pretty-printed (or "—" when absent). */
export function Json({ value, label }: { value: unknown; label?: string }) {
  if (value === undefined || value === null) return <span className="muted">—</span>;
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** A date-time in the browser's locale, with the ISO value as a tooltip. */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  const d = new Date(value);
  return (
    <time dateTime={value} title={value}>
      {d.toLocaleString()}
    </time>
  );
}

/**
 * A `datetime-local` value (the browser's local time) as RFC 3339, or undefined when empty or not a date (a
 * hand-edited URL): the API is then asked without the filter rather than the page failing.
 */
export function toIso(v: string | null | undefined): string | undefined {
  const d = v ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}

/** Milliseconds as `1.2 s` / `350 ms` / `3 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** A page heading with optional actions on the right. */
export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}

/** A "load more" button for keyset pages. */
export function MoreButton({ cursor, onMore }: { cursor: string | null | undefined; onMore(cursor: string): void }) {
  if (!cursor) return null;
  return (
    <button type="button" className="btn" onClick={() => onMore(cursor)}>
      Next page
    </button>
  );
}
