/**
 * Integration-instance credentials: ciphertext in the database (unreadable without the key), absent
 * from every response and from every log line, including at trace level and on errors.
 */
import request from 'supertest';
import { createCredentialsCipher } from '../../common/credentials-cipher';
import { getInstanceCredentials } from '../../db/repositories/integration-instances';
import { captureLogger, createTestApi, TEST_SECRETS, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

const SECRET = 'sk-live-7f3a9c1e-very-secret-value';
let api: TestApi;
let caller: TestCaller;
let lines: string[];
const bodies: string[] = [];

beforeAll(async () => {
  const captured = captureLogger('trace');
  lines = captured.lines;
  api = await createTestApi({ logger: captured.logger });
  caller = await createTestCaller(api.deps, ['integrations:read', 'integrations:write']);
});
afterAll(async () => api.close());

const call = async (method: 'get' | 'post' | 'patch', path: string, body?: object) => {
  const res = await request(api.app)[method](`/api/v1${path}`).set(caller.bearer).send(body);
  bodies.push(res.text);
  return res;
};

describe('integration instance credentials', () => {
  it('are encrypted at rest, never returned, never logged', async () => {
    const def = await call('post', '/integration-definitions', {
      integration_id: 'crm',
      version: '1',
      name: 'CRM',
      integration_type: 'http',
      auth_type: 'api_key',
      config_schema: { type: 'object', required: ['base_url'], properties: { base_url: { type: 'string' } } },
      credentials_schema: {
        type: 'object',
        required: ['api_key'],
        properties: { api_key: { type: 'string', minLength: 8 } },
      },
    });
    expect(def.status).toBe(201);
    const created = await call('post', '/integration-instances', {
      instance_id: 'crm-prod',
      name: 'CRM prod',
      integration_definition_id: def.body.id,
      config: { base_url: 'http://127.0.0.1:9' },
      credentials: { api_key: SECRET },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ has_credentials: true });
    expect(created.body).not.toHaveProperty('credentials');
    const id = created.body.id as string;

    // Every read path, and error paths that echo the request.
    await call('get', `/integration-instances/${id}`);
    await call('get', '/integration-instances');
    await call('patch', `/integration-instances/${id}`, { credentials: { api_key: `${SECRET}-rotated` } });
    await call('patch', `/integration-instances/${id}`, { credentials: { api_key: 1 } });
    await call('post', '/integration-instances', {
      instance_id: 'crm-prod',
      name: 'dup',
      integration_definition_id: def.body.id,
      config: { base_url: 'x' },
      credentials: { api_key: SECRET },
    });
    expect(bodies.length).toBe(7);
    for (const body of bodies) expect(body).not.toContain('sk-live');

    // The database holds only ciphertext bound to the row; the key from config decrypts it.
    const raw = await api.deps.db('integration_service.integration_instances').where({ id }).first();
    const blob = raw.credentials as Buffer;
    expect(Buffer.isBuffer(blob)).toBe(true);
    expect(blob.toString('latin1')).not.toContain('sk-live');
    expect(JSON.stringify(raw)).not.toContain('sk-live');
    const dump = await api.deps.db.raw(
      "SELECT encode(credentials, 'escape') AS e FROM integration_service.integration_instances WHERE id = ?",
      [id],
    );
    expect(String(dump.rows[0].e)).not.toContain('sk-live');
    const stored = await getInstanceCredentials(api.deps.db, id);
    expect(createCredentialsCipher(TEST_SECRETS.CREDENTIALS_ENCRYPTION_KEY).decrypt(stored!.credentials!, id)).toEqual({
      api_key: `${SECRET}-rotated`,
    });

    // Logs: the app logged requests (so the capture works) and none of them carries the secret.
    expect(lines.some((l) => l.includes('/integration-instances'))).toBe(true);
    for (const line of lines) expect(line).not.toContain('sk-live');
  });

  it("must match the definition's credentials schema (422, nothing stored)", async () => {
    const def = await call('post', '/integration-definitions', {
      integration_id: 'crm2',
      version: '1',
      name: 'CRM',
      integration_type: 'http',
      credentials_schema: { type: 'object', required: ['api_key'], properties: { api_key: { type: 'string' } } },
    });
    const before = await api.deps.db('integration_service.integration_instances').count({ n: '*' }).first();
    const res = await call('post', '/integration-instances', {
      instance_id: 'bad',
      name: 'bad',
      integration_definition_id: def.body.id,
      config: {},
      credentials: { wrong: true },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].pointer).toBe('/body/credentials/api_key');
    const after = await api.deps.db('integration_service.integration_instances').count({ n: '*' }).first();
    expect(after).toEqual(before);
  });
});
