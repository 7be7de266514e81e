import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const composeFile = join(root, 'temporal', 'docker-compose.yml');
// scripts/install-compose.sh puts a Compose plugin here when the Docker CLI has none.
const localDockerConfig = join(root, '.tools', 'docker');

const secrets = {
  AUTH_JWT_SECRET: 's'.repeat(40),
  CREDENTIALS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  AUTH_BOOTSTRAP_ADMIN_PASSWORD: 'a-long-enough-password',
};

function compose(args: string[], env: Record<string, string>) {
  const dockerConfig = existsSync(join(localDockerConfig, 'cli-plugins', 'docker-compose'))
    ? { DOCKER_CONFIG: localDockerConfig }
    : {};
  return run('docker', ['compose', '-f', composeFile, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...dockerConfig, ...env },
  });
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  ports?: { published?: string; target: number }[];
}

describe('temporal/docker-compose.yml', () => {
  let services: Record<string, ComposeService>;

  beforeAll(async () => {
    const { stdout } = await compose(['config', '--format', 'json'], secrets);
    services = (JSON.parse(stdout) as { services: Record<string, ComposeService> }).services;
  });

  it('is accepted by `docker compose config` and defines the production shape', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'api-lb',
      'migrate',
      'postgresql',
      'temporal',
      'temporal-register',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
    expect(services.api.build).toBeDefined();
    expect(services.worker.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('runs two api and two worker replicas, with the api published once, through the load balancer', () => {
    expect(services.api.deploy?.replicas).toBe(2);
    expect(services.worker.deploy?.replicas).toBe(2);
    expect(services.api.ports ?? []).toEqual([]);
    expect(services['api-lb'].ports).toEqual([expect.objectContaining({ published: '3000', target: 3000 })]);
  });

  it("uses Temporal's server and admin-tools images, never auto-setup", () => {
    const images = Object.values(services).map((s) => s.image ?? '');
    expect(images.filter((i) => i.includes('auto-setup'))).toEqual([]);
    expect(services.temporal.image).toBe('temporalio/server:1.29.1');
    expect(services['temporal-schema'].image).toBe('temporalio/admin-tools:1.29.1');
    expect(services['temporal-register'].image).toBe('temporalio/admin-tools:1.29.1');
  });

  it('sets up the schema before the server, registers after it, and starts the platform last', () => {
    const completed = { condition: 'service_completed_successfully' };
    expect(services['temporal-schema'].depends_on?.postgresql).toEqual(
      expect.objectContaining({ condition: 'service_healthy' }),
    );
    expect(services.temporal.depends_on?.['temporal-schema']).toEqual(expect.objectContaining(completed));
    expect(services['temporal-register'].depends_on?.temporal).toBeDefined();
    for (const app of ['api', 'worker']) {
      expect(services[app].depends_on?.['temporal-register']).toEqual(expect.objectContaining(completed));
      expect(services[app].depends_on?.migrate).toEqual(expect.objectContaining(completed));
    }
    // Within the step: databases, then the versioning tables, then the versioned schema, for both databases.
    const script = (services['temporal-schema'].command ?? []).join('\n');
    const at = (re: RegExp) => script.search(re);
    for (const db of ['temporal', 'temporal_visibility']) {
      const setup = at(new RegExp(`--db ${db} setup-schema -v 0\\.0`));
      const update = at(new RegExp(`--db ${db} update-schema --schema-name postgresql/v12/`));
      expect(at(/create-database/)).toBeGreaterThanOrEqual(0);
      expect(setup).toBeGreaterThan(at(/create-database/));
      expect(update).toBeGreaterThan(setup);
    }
  });

  it('refuses to render without the production secrets, naming them', async () => {
    await expect(compose(['config', '-q'], {})).rejects.toMatchObject({
      stderr: expect.stringMatching(/AUTH_JWT_SECRET|CREDENTIALS_ENCRYPTION_KEY|AUTH_BOOTSTRAP_ADMIN_PASSWORD/),
    });
  });
});
