/** The platform's REST API as the CLI uses it: `fetch` with the API key, problems turned into {@link ApiError}. */

/** Where the platform is and how to authenticate (`--url` / `AOS_URL`, `--api-key` / `AOS_API_KEY`). */
export interface Connection {
  url: string;
  apiKey?: string;
}

/** A 4xx/5xx answer: its status and the problem document's title, detail and field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: Array<{ pointer: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** The platform could not be reached at all (exit code 2). */
export class ConnectionError extends Error {}

/** An answer: status, body and the headers the CLI reads. */
export interface Answer<T> {
  status: number;
  body: T;
  etag?: string;
  location?: string;
}

/** A small client over `/api/v1`. */
export class Client {
  private readonly base: string;

  constructor(private readonly conn: Connection) {
    this.base = `${conn.url.replace(/\/+$/, '')}/api/v1`;
  }

  /** GET; `undefined` on 404 when `allow404`. */
  async get<T>(path: string, allow404 = false): Promise<Answer<T> | undefined> {
    const answer = await this.send<T>('GET', path, undefined, {}, allow404 ? [404] : []);
    return answer.status === 404 ? undefined : answer;
  }

  /** A request; non-2xx answers throw an ApiError unless their status is in `accept`. */
  async send<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    accept: number[] = [],
  ): Promise<Answer<T>> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(this.conn.apiKey && { 'x-api-key': this.conn.apiKey }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new ConnectionError(`cannot reach ${this.conn.url}: ${cause}`);
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!res.ok && !accept.includes(res.status)) throw toApiError(method, path, res.status, parsed);
    return {
      status: res.status,
      body: parsed as T,
      etag: res.headers.get('etag') ?? undefined,
      location: res.headers.get('location') ?? undefined,
    };
  }
}

function toApiError(method: string, path: string, status: number, body: unknown): ApiError {
  const p = (body && typeof body === 'object' ? body : {}) as {
    title?: string;
    detail?: string;
    errors?: Array<{ pointer: string; message: string }>;
  };
  const what = p.detail ?? p.title ?? (typeof body === 'string' && body ? body.slice(0, 200) : 'no details');
  return new ApiError(status, `${method} ${path}: ${status} ${what}`, Array.isArray(p.errors) ? p.errors : []);
}
