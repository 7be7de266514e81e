/**
 * Revoking a login session stops its access tokens on every API process: at once on the process that revoked
 * it, within AUTH_PRINCIPAL_CACHE_TTL_MS on the others even when they hear no notification (these apps run no
 * LISTEN connection: the bound while a listener is down). Two API apps on one database stand in for two
 * processes (each app has its own principal cache); shared-auth.int.test.ts covers the notified path.
 */
import request from 'supertest';
import type { Application } from 'express';
import { hashPassword } from '../../services/auth/passwords';
import { insertUser, setUserRoles } from '../../db/repositories/auth-users';
import { createTestApi, type TestApi } from '../helpers/api';

const TTL_MS = 1000;
// Time for a request round trip on a loaded machine, on top of the documented bound.
const SLACK_MS = 1500;
const password = 'correct horse battery staple';
let one: TestApi;
let two: TestApi;

beforeAll(async () => {
  const config = { AUTH_PRINCIPAL_CACHE_TTL_MS: String(TTL_MS) };
  [one, two] = await Promise.all([createTestApi({ config }), createTestApi({ config })]);
});
afterAll(async () => Promise.all([one?.close(), two?.close()]));

let users = 0;
async function login(app: Application): Promise<{ access_token: string; refresh_token: string }> {
  const username = `rev-${process.pid}-${++users}`;
  const id = await insertUser(one.deps.db, {
    username,
    email: `${username}@example.test`,
    password_hash: await hashPassword(password),
  });
  await setUserRoles(one.deps.db, id, ['viewer']);
  return (await request(app).post('/api/v1/auth/login').send({ username, password }).expect(200)).body;
}

const me = (app: Application, token: string) =>
  request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);

/** Polls until the token is refused; returns how long that took (fails past the bound). */
async function refusedWithin(app: Application, token: string, boundMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if ((await me(app, token)).status === 401) return Date.now() - start;
    if (Date.now() - start > boundMs)
      throw new Error(`access token still accepted ${boundMs} ms after its session was revoked`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('access tokens of a revoked session', () => {
  it('after logout on one process, are refused there at once and on the other within the cache TTL', async () => {
    const pair = await login(one.app);
    // Both processes have resolved (and cached) the caller.
    await me(one.app, pair.access_token).expect(200);
    await me(two.app, pair.access_token).expect(200);
    await request(one.app).post('/api/v1/auth/logout').send({ refresh_token: pair.refresh_token }).expect(204);
    await me(one.app, pair.access_token).expect(401);
    expect(await refusedWithin(two.app, pair.access_token, TTL_MS + SLACK_MS)).toBeLessThanOrEqual(TTL_MS + SLACK_MS);
  });

  it('after a rotated refresh token is reused (theft detection), every access token of the session is refused on every process', async () => {
    const first = await login(one.app);
    const second = (
      await request(one.app).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200)
    ).body;
    for (const app of [one.app, two.app])
      for (const t of [first.access_token, second.access_token]) await me(app, t).expect(200);
    // The thief (or the victim) presents the rotated token on the second process: the session is revoked.
    await request(two.app).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(401);
    await me(two.app, first.access_token).expect(401);
    await me(two.app, second.access_token).expect(401);
    for (const t of [first.access_token, second.access_token]) await refusedWithin(one.app, t, TTL_MS + SLACK_MS);
  });

  it('are not affected by an ordinary rotation: the session stays open, earlier access tokens too', async () => {
    const first = await login(one.app);
    const second = (
      await request(one.app).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200)
    ).body;
    await new Promise((r) => setTimeout(r, TTL_MS + 100)); // past the cache: the session is looked up again
    await me(two.app, first.access_token).expect(200);
    await me(two.app, second.access_token).expect(200);
  });
});
