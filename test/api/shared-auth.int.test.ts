/**
 * Two API processes on one database (two apps on separate deps, each with its own principal cache and login
 * store, as two processes have): one login limit between them, and a credential revoked through one is refused by
 * the other within the notification latency, far inside the cache TTL.
 */
import knex from 'knex';
import request from 'supertest';
import type { Application } from 'express';
import { createApiApp } from '../../api/api-app';
import { credentialKey, principalCacheOf } from '../../api/auth/principal-cache';
import { listenForPrincipalChanges, PRINCIPAL_INVALIDATE_CHANNEL } from '../../api/auth/principal-invalidation';
import type { Listener } from '../../db/listen';
import { deleteExpiredLoginAttempts, LOGIN_ATTEMPTS } from '../../db/repositories/login-attempts';
import { insertUser, setUserRoles } from '../../db/repositories/auth-users';
import { hashPassword } from '../../services/auth/passwords';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller } from '../helpers/auth';

const password = 'correct horse battery staple';
// A TTL no test waits out: whatever revokes within seconds is the notification, not the entry expiring.
const config = { AUTH_LOGIN_MAX_ATTEMPTS: '3', AUTH_PRINCIPAL_CACHE_TTL_MS: '60000' };
// Tolerant of a loaded 2-core box; on an idle one the refusal comes within a few milliseconds.
const REVOCATION_DEADLINE_MS = 2_000;
jest.setTimeout(30_000);

let a: TestApi;
let b: TestApi;
let c: TestApi; // a third process whose listener never runs: only the TTL would revoke there
const listeners: Listener[] = [];

beforeAll(async () => {
  [a, b, c] = await Promise.all([createTestApi({ config }), createTestApi({ config }), createTestApi({ config })]);
  listeners.push(listenForPrincipalChanges(a.deps), listenForPrincipalChanges(b.deps));
  await Promise.all(listeners.map((l) => l.whenListening()));
});
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.stop()));
  await Promise.all([a, b, c].map((api) => api?.close()));
});

async function makeUser(username: string): Promise<void> {
  const id = await insertUser(a.deps.db, { username, password_hash: await hashPassword(password) });
  await setUserRoles(a.deps.db, id, ['viewer']);
}

const login = (app: Application, username: string, pw = 'wrong password!') =>
  request(app).post('/api/v1/auth/login').send({ username, password: pw });

/** The counter row of the last login counted (keys are hashes: the tests find their row by recency). */
const lastCounted = async () => a.deps.db(LOGIN_ATTEMPTS).orderBy('updated_at', 'desc').first();

const me = (app: Application, headers: Record<string, string>) => request(app).get('/api/v1/auth/me').set(headers);

/**
 * Makes `api` cache the credential. Writing a user, role or key NOTIFYs every process to clear its whole cache, and
 * on a loaded machine that notification (from the setup just before) can land after the first request cached the
 * entry: ask again until the entry is there.
 */
async function cacheOn(api: TestApi, headers: Record<string, string>, credential: string): Promise<void> {
  await until('the credential to stay cached', async () => {
    await me(api.app, headers).expect(200);
    return principalCacheOf(api.deps).get(credentialKey(credential)) !== undefined;
  });
}

/** Polls `app` until it refuses the credential; returns how long that took. */
async function refusedAfter(app: Application, headers: Record<string, string>): Promise<number> {
  const start = Date.now();
  for (;;) {
    const res = await me(app, headers);
    const elapsed = Date.now() - start;
    if (res.status === 401) return elapsed;
    expect(res.status).toBe(200);
    if (elapsed > REVOCATION_DEADLINE_MS) throw new Error(`still accepted after ${elapsed} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('login limit shared by two API processes', () => {
  it('when failed logins are spread over both, the (limit+1)th overall is refused 429 with Retry-After by either', async () => {
    await makeUser('shared-dave');
    await login(a.app, 'shared-dave').expect(401);
    await login(b.app, 'shared-dave').expect(401);
    await login(a.app, 'shared-dave').expect(401);
    const limited = await login(b.app, 'shared-dave').expect(429);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800); // the 15-minute window, counted from the first failure
    expect(retryAfter).toBeLessThanOrEqual(900);
    // The right password does not get through either process until the window ends.
    await login(a.app, 'shared-dave', password).expect(429);
    // Each process alone would have seen only two failures.
    const row = await lastCounted();
    expect(row.hits).toBeGreaterThanOrEqual(4);
  });

  it('a window ended on the database clock starts over at one hit; ended windows are swept', async () => {
    await makeUser('shared-erin');
    for (const app of [a.app, b.app, a.app]) await login(app, 'shared-erin').expect(401);
    const erin = await lastCounted();
    await a.deps
      .db(LOGIN_ATTEMPTS)
      .where({ id: erin.id })
      .update({ reset_at: a.deps.db.raw("now() - interval '1 second'") });
    await login(b.app, 'shared-erin', password).expect(200);
    await login(b.app, 'shared-erin').expect(401);
    const row = await lastCounted();
    expect(row.id).toBe(erin.id);
    expect(row.hits).toBe(1); // the success was taken back; the failure after it is the window's first hit

    await a.deps
      .db(LOGIN_ATTEMPTS)
      .where({ id: row.id })
      .update({ reset_at: a.deps.db.raw("now() - interval '1 second'") });
    expect(await deleteExpiredLoginAttempts(a.deps.db, 100)).toBeGreaterThanOrEqual(1);
    expect(await a.deps.db(LOGIN_ATTEMPTS).where({ id: row.id })).toEqual([]);
  });

  it('while the database is unreachable, a login is refused 503 problem+json (fail closed), never let through', async () => {
    const dead = knex({
      client: 'pg',
      connection: 'postgres://x:y@127.0.0.1:1/none',
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 1_000,
    });
    try {
      const app = createApiApp({ ...a.deps, db: dead });
      const res = await login(app, 'shared-dave', password).expect(503);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await dead.destroy();
    }
  });
});

describe('revocation seen by every API process', () => {
  it('an API key revoked through A is refused by B (which had it cached) within the notification latency', async () => {
    const owner = await createTestCaller(a.deps, ['api_keys:write', 'observability:read']);
    const created = await request(a.app)
      .post('/api/v1/api-keys')
      .set(owner.bearer)
      .send({ name: 'shared' })
      .expect(201);
    const key = { 'X-API-Key': created.body.key as string };
    await cacheOn(b, key, created.body.key);
    await me(c.app, key).expect(200);

    await request(a.app).delete(`/api/v1/api-keys/${created.body.id}`).set(owner.bearer).expect(204);

    expect(await refusedAfter(b.app, key)).toBeLessThan(REVOCATION_DEADLINE_MS);
    // Without a listener the cached entry would live on for the TTL: the notification is what revoked it on B.
    await me(c.app, key).expect(200);
  });

  it('a session logged out through A is refused by B within the notification latency', async () => {
    await makeUser('shared-frank');
    const pair = (await login(a.app, 'shared-frank', password).expect(200)).body;
    const bearer = { Authorization: `Bearer ${pair.access_token}` };
    await cacheOn(b, bearer, pair.access_token);

    await request(a.app).post('/api/v1/auth/logout').send({ refresh_token: pair.refresh_token }).expect(204);

    expect(await refusedAfter(b.app, bearer)).toBeLessThan(REVOCATION_DEADLINE_MS);
  });

  it('when the LISTEN connection drops, B forgets its cache, reconnects, and hears revocations again', async () => {
    const owner = await createTestCaller(a.deps, ['api_keys:write', 'observability:read']);
    const bListener = listeners[1];
    await cacheOn(b, owner.bearer, owner.token);
    const cache = principalCacheOf(b.deps);

    const { rows } = await a.deps.db.raw<{ rows: unknown[] }>(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = ? AND pid <> pg_backend_pid()`,
      [`listen:${PRINCIPAL_INVALIDATE_CHANNEL}`],
    );
    expect(rows).toHaveLength(2); // A's and B's

    await until('B to notice the loss', () => cache.get(credentialKey(owner.token)) === undefined);
    await until('B to listen again', () => bListener.listening);

    const created = await request(a.app).post('/api/v1/api-keys').set(owner.bearer).send({ name: 'after' }).expect(201);
    const key = { 'X-API-Key': created.body.key as string };
    await cacheOn(b, key, created.body.key);
    await request(a.app).delete(`/api/v1/api-keys/${created.body.id}`).set(owner.bearer).expect(204);
    expect(await refusedAfter(b.app, key)).toBeLessThan(REVOCATION_DEADLINE_MS);
  });
});

describe('whose address the login limit counts (API_TRUST_PROXY)', () => {
  const fromClient = (app: Application, username: string, client: string) =>
    login(app, username).set('X-Forwarded-For', client);

  it('behind a trusted proxy (loopback, the default), each forwarded client address has its own count', async () => {
    for (let i = 0; i < 3; i++) await fromClient(a.app, 'proxied-gina', '203.0.113.5').expect(401);
    await fromClient(a.app, 'proxied-gina', '203.0.113.5').expect(429);
    await fromClient(b.app, 'proxied-gina', '203.0.113.6').expect(401);
  });

  it('with API_TRUST_PROXY=none, a forged X-Forwarded-For does not escape the limit', async () => {
    const direct = await createTestApi({ config: { ...config, API_TRUST_PROXY: 'none' } });
    try {
      for (let i = 0; i < 3; i++) await fromClient(direct.app, 'direct-hank', `198.51.100.${i}`).expect(401);
      await fromClient(direct.app, 'direct-hank', '198.51.100.99').expect(429);
    } finally {
      await direct.close();
    }
  });
});
