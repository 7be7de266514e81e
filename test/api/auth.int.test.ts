/** Authentication: password login, token refresh rotation, logout, API keys, rate limiting, bootstrap admin. */
import request from 'supertest';
import { hashPassword } from '../../services/auth/passwords';
import { ensureBootstrapAdmin } from '../../api/auth/bootstrap';
import { principalCacheOf } from '../../api/auth/principal-cache';
import { insertUser, setUserRoles } from '../../db/repositories/auth-users';
import { createTestApi, testConfig, type TestApi } from '../helpers/api';
import { createTestCaller } from '../helpers/auth';

let api: TestApi;
const password = 'correct horse battery staple';

async function makeUser(username: string, roles: string[] = ['viewer']): Promise<string> {
  const id = await insertUser(api.deps.db, {
    username,
    email: `${username}@example.test`,
    password_hash: await hashPassword(password),
  });
  await setUserRoles(api.deps.db, id, roles);
  return id;
}

beforeAll(async () => {
  api = await createTestApi({ config: { AUTH_LOGIN_MAX_ATTEMPTS: '3' } });
});
afterAll(async () => api.close());

describe('login', () => {
  it('stores passwords as argon2id hashes', async () => {
    expect(await hashPassword(password)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('issues an access token that opens protected routes, by username or email', async () => {
    await makeUser('alice');
    for (const login of ['alice', 'ALICE@example.test']) {
      const res = await request(api.app).post('/api/v1/auth/login').send({ username: login, password }).expect(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      expect(res.headers['cache-control']).toBe('no-store');
      const me = await request(api.app)
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${res.body.access_token}`)
        .expect(200);
      expect(me.body).toMatchObject({ username: 'alice', roles: ['viewer'], via: 'token' });
      expect(me.body.permissions).toContain('workflow_definitions:read');
    }
  });

  it('answers unknown user and wrong password identically', async () => {
    await makeUser('bob');
    const wrong = await request(api.app)
      .post('/api/v1/auth/login')
      .send({ username: 'bob', password: 'not the password' });
    const unknown = await request(api.app)
      .post('/api/v1/auth/login')
      .send({ username: 'nobody-here', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers['content-type']).toMatch(/application\/problem\+json/);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
  });

  it('refuses disabled accounts with the same answer', async () => {
    const id = await makeUser('carol');
    await api.deps.db('auth_service.users').where({ id }).update({ status: 'disabled' });
    const res = await request(api.app).post('/api/v1/auth/login').send({ username: 'carol', password }).expect(401);
    expect(res.body.detail).toBe('Invalid username or password');
  });

  it('rate-limits failed attempts per IP and username with 429 problem+json', async () => {
    await makeUser('dave');
    for (let i = 0; i < 3; i++)
      await request(api.app)
        .post('/api/v1/auth/login')
        .send({ username: 'dave', password: 'wrong password!' })
        .expect(401);
    const limited = await request(api.app).post('/api/v1/auth/login').send({ username: 'dave', password }).expect(429);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    // Another username from the same IP is not affected.
    await makeUser('erin');
    await request(api.app).post('/api/v1/auth/login').send({ username: 'erin', password }).expect(200);
  });
});

describe('refresh tokens', () => {
  it('rotate on use; reusing a rotated token revokes the whole session', async () => {
    await makeUser('frank');
    const first = (await request(api.app).post('/api/v1/auth/login').send({ username: 'frank', password }).expect(200))
      .body;
    const second = (
      await request(api.app).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200)
    ).body;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await request(api.app).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(401);
    // The reuse revoked the family: the legitimate successor is dead too.
    await request(api.app).post('/api/v1/auth/refresh').send({ refresh_token: second.refresh_token }).expect(401);
  });

  it('are stored hashed, and logout revokes them', async () => {
    await makeUser('grace');
    const pair = (await request(api.app).post('/api/v1/auth/login').send({ username: 'grace', password }).expect(200))
      .body;
    const stored = await api.deps.db('auth_service.refresh_tokens').where({ token_hash: pair.refresh_token }).first();
    expect(stored).toBeUndefined();
    await request(api.app).post('/api/v1/auth/logout').send({ refresh_token: pair.refresh_token }).expect(204);
    await request(api.app).post('/api/v1/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(401);
  });
});

describe('access tokens', () => {
  it('are rejected when forged, malformed, or their user is disabled', async () => {
    const caller = await createTestCaller(api.deps, ['observability:read']);
    await request(api.app).get('/api/v1/auth/me').set(caller.bearer).expect(200);
    const other = testConfig({ AUTH_JWT_SECRET: 'another-secret-another-secret-another-secret' });
    const { signAccessToken } = await import('../../services/auth/tokens');
    const forged = (await signAccessToken(other, caller.userId, caller.username, caller.sessionId)).token;
    await request(api.app).get('/api/v1/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);
    await request(api.app).get('/api/v1/auth/me').set('Authorization', 'Bearer not.a.jwt').expect(401);
    await request(api.app).get('/api/v1/auth/me').set(caller.keyHeader).expect(200);
    await api.deps.db('auth_service.users').where({ id: caller.userId }).update({ status: 'disabled' });
    // Changed behind this process's back (another process, SQL): the resolved caller stays cached for up to
    // AUTH_PRINCIPAL_CACHE_TTL_MS; forgetting the cache stands in for the TTL running out.
    await request(api.app).get('/api/v1/auth/me').set(caller.bearer).expect(200);
    principalCacheOf(api.deps).clear();
    await request(api.app).get('/api/v1/auth/me').set(caller.bearer).expect(401);
    await request(api.app).get('/api/v1/auth/me').set(caller.keyHeader).expect(401);
  });

  it('are rejected at once when an admin of this process disables their user', async () => {
    const admin = await createTestCaller(api.deps, ['users:admin']);
    const caller = await createTestCaller(api.deps, ['observability:read']);
    await request(api.app).get('/api/v1/auth/me').set(caller.bearer).expect(200);
    await request(api.app)
      .patch(`/api/v1/users/${caller.userId}`)
      .set(admin.bearer)
      .send({ status: 'disabled' })
      .expect(200);
    await request(api.app).get('/api/v1/auth/me').set(caller.bearer).expect(401);
  });
});

describe('API keys', () => {
  it('are shown once, stored hashed, usable as Bearer or X-API-Key, narrowed by scopes, revocable', async () => {
    const owner = await createTestCaller(api.deps, ['api_keys:read', 'api_keys:write', 'users:admin']);
    const created = await request(api.app)
      .post('/api/v1/api-keys')
      .set(owner.bearer)
      .send({ name: 'ci', scopes: ['api_keys:read'] })
      .expect(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^aos_[a-z0-9]{12}_/);
    expect(key.startsWith(`aos_${created.body.prefix}_`)).toBe(true);
    const row = await api.deps.db('auth_service.api_keys').where({ id: created.body.id }).first();
    // The secret is everything after `aos_<prefix>_` (base64url: it may itself contain `_`).
    const secret = key.slice(`aos_${created.body.prefix}_`.length);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(row)).not.toContain(secret);

    const list = await request(api.app).get('/api/v1/api-keys').set('X-API-Key', key).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(key);
    await request(api.app).get('/api/v1/api-keys').set('Authorization', `Bearer ${key}`).expect(200);
    // The scope narrowed the key: its owner may administer users, the key may not.
    await request(api.app).get('/api/v1/users').set('X-API-Key', key).expect(403);
    await request(api.app).get('/api/v1/users').set(owner.bearer).expect(200);

    await request(api.app).delete(`/api/v1/api-keys/${created.body.id}`).set(owner.bearer).expect(204);
    await request(api.app).get('/api/v1/api-keys').set('X-API-Key', key).expect(401);
  });

  it('cannot be given permissions the creator lacks', async () => {
    const owner = await createTestCaller(api.deps, ['api_keys:write']);
    const res = await request(api.app)
      .post('/api/v1/api-keys')
      .set(owner.bearer)
      .send({ name: 'x', scopes: ['users:admin'] })
      .expect(422);
    expect(res.body.errors[0].pointer).toBe('/body/scopes/0');
  });
});

describe('bootstrap admin', () => {
  it('is created once from config, idempotently, with the admin role', async () => {
    const deps = {
      ...api.deps,
      config: testConfig({
        AUTH_BOOTSTRAP_ADMIN_USERNAME: 'root',
        AUTH_BOOTSTRAP_ADMIN_EMAIL: 'root@example.test',
        AUTH_BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap-password-1',
      }),
    };
    const results = await Promise.all([ensureBootstrapAdmin(deps), ensureBootstrapAdmin(deps)]);
    expect(results.sort()).toEqual(['created', 'exists']);
    expect(await ensureBootstrapAdmin(deps)).toBe('exists');
    const res = await request(api.app)
      .post('/api/v1/auth/login')
      .send({ username: 'root', password: 'bootstrap-password-1' })
      .expect(200);
    const users = await request(api.app)
      .get('/api/v1/users')
      .set('Authorization', `Bearer ${res.body.access_token}`)
      .expect(200);
    expect(users.body.items.find((u: { username: string }) => u.username === 'root').roles).toEqual(['admin']);
  });
});
