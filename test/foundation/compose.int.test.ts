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

describe('temporal/docker-compose.yml', () => {
  it('is accepted by `docker compose config` and defines the production-like stack', async () => {
    const { stdout } = await compose(['config', '--format', 'json'], secrets);
    const config = JSON.parse(stdout) as {
      services: Record<string, { build?: unknown; environment?: Record<string, string> }>;
    };
    expect(Object.keys(config.services).sort()).toEqual([
      'api',
      'migrate',
      'postgresql',
      'temporal',
      'temporal-setup',
      'temporal-ui',
      'worker',
    ]);
    expect(config.services.api.build).toBeDefined();
    expect(config.services.worker.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('refuses to render without the production secrets, naming them', async () => {
    await expect(compose(['config', '-q'], {})).rejects.toMatchObject({
      stderr: expect.stringMatching(/AUTH_JWT_SECRET|CREDENTIALS_ENCRYPTION_KEY|AUTH_BOOTSTRAP_ADMIN_PASSWORD/),
    });
  });
});
