/**
 * The console's HTTP client: JSON in and out of /api/v1, the bearer token of the session, one refresh when
 * the access token has expired, and problem+json answers thrown as {@link ApiError} (with their field errors).
 */

/** One field error of a problem answer: a JSON pointer into the request (`/body/data/amount`). */
export interface FieldError {
  pointer: string;
  message: string;
  code?: string;
}

/** A failed request: the problem's status, title, detail and field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: FieldError[] = [],
  ) {
    super(detail ?? title);
  }
}

/** The tokens of a session (POST /auth/login and /auth/refresh answer them). */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_expires_in: number;
}

interface Session {
  access: string;
  refresh: string;
  /** Epoch ms after which the access token is refreshed before use. */
  accessExpiresAt: number;
}

/** The page envelope of every list route. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const KEY = 'aos.console.session';
const listeners = new Set<() => void>();
let session: Session | null = load();
let refreshing: Promise<boolean> | null = null;

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function save(next: Session | null): void {
  session = next;
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
  else sessionStorage.removeItem(KEY);
  for (const l of listeners) l();
}

function fromPair(p: TokenPair): Session {
  // Refresh a little early so a request never races the expiry.
  return { access: p.access_token, refresh: p.refresh_token, accessExpiresAt: Date.now() + (p.expires_in - 15) * 1000 };
}

/** True while the tab holds a session (tokens in sessionStorage: closing the tab logs out). */
export const isLoggedIn = (): boolean => session !== null;

/** Calls `fn` whenever the session starts or ends; returns the unsubscribe. */
export function onSessionChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function toError(res: Response): Promise<ApiError> {
  let body: { title?: string; detail?: string; errors?: FieldError[] } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(res.status, body.title ?? res.statusText, body.detail, body.errors ?? []);
}

/** Logs in; throws ApiError (401 for a bad password, 429 when rate limited). */
export async function login(username: string, password: string): Promise<void> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw await toError(res);
  save(fromPair((await res.json()) as TokenPair));
}

/** Revokes the session on the server (best effort) and forgets it. */
export async function logout(): Promise<void> {
  const current = session;
  save(null);
  if (current)
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: current.refresh }),
    }).catch(() => undefined);
}

/** Exchanges the refresh token once (concurrent callers share the attempt); false = the session is over. */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const current = session;
    if (!current) return false;
    const res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: current.refresh }),
    }).catch(() => null);
    if (!res?.ok) {
      save(null);
      return false;
    }
    save(fromPair((await res.json()) as TokenPair));
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Options of {@link api}. */
export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  headers?: Record<string, string>;
}

/** Builds `/api/v1<path>?<query>` without empty values. */
export function apiUrl(path: string, query: RequestOptions['query'] = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `/api/v1${path}${s ? `?${s}` : ''}`;
}

/** A raw authenticated request (refreshing first when the token is due, and once more after a 401). */
export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  if (session && Date.now() > session.accessExpiresAt) await refresh();
  const send = () =>
    fetch(apiUrl(path, opts.query), {
      method: opts.method ?? 'GET',
      headers: {
        Accept: 'application/json',
        ...(opts.body !== undefined && { 'Content-Type': 'application/json' }),
        ...(session && { Authorization: `Bearer ${session.access}` }),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  let res = await send();
  if (res.status === 401 && session && (await refresh())) res = await send();
  if (res.status === 401) save(null);
  return res;
}

/** A JSON request: the parsed body, or ApiError. */
export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await request(path, opts);
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A JSON request that also returns the ETag (for If-Match on draft edits). */
export async function apiWithEtag<T>(
  path: string,
  opts: RequestOptions = {},
): Promise<{ body: T; etag: string | null }> {
  const res = await request(path, opts);
  if (!res.ok) throw await toError(res);
  return { body: (await res.json()) as T, etag: res.headers.get('ETag') };
}
