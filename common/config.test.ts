import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, SETTINGS } from './config';

const base = {
  NODE_ENV: 'test',
  AUTH_JWT_SECRET: 'x'.repeat(40),
  CREDENTIALS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('loadConfig', () => {
  it('applies documented defaults when the environment is empty', () => {
    const config = loadConfig(base);
    expect(config.apiPort).toBe(3000);
    expect(config.temporalNamespace).toBe('default');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.temporalAddress).toBeUndefined();
    expect(config.temporalUiUrl).toBe('http://127.0.0.1:8233');
  });

  it('coerces numbers and keeps strings', () => {
    const config = loadConfig({
      ...base,
      API_PORT: '8080',
      DATABASE_URL: 'postgres://u@h:5432/db',
      TEMPORAL_ADDRESS: 'temporal:7233',
    });
    expect(config.apiPort).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://u@h:5432/db');
    expect(config.temporalAddress).toBe('temporal:7233');
  });

  it('returns a frozen object', () => {
    const config = loadConfig(base);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ ...base, API_PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('API_PORT');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('DATABASE_URL');
  });

  it('rejects an out-of-range port', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_UI_PORT: '70000' })).toThrow(/TEMPORAL_UI_PORT/);
  });

  it('reads API_TRUST_PROXY as a list of subnet names, addresses and CIDRs, and `none` as trusting nobody', () => {
    expect(loadConfig(base).apiTrustProxy).toEqual(['loopback']);
    expect(loadConfig({ ...base, API_TRUST_PROXY: 'uniquelocal, 10.0.0.0/8 192.0.2.7' }).apiTrustProxy).toEqual([
      'uniquelocal',
      '10.0.0.0/8',
      '192.0.2.7',
    ]);
    expect(loadConfig({ ...base, API_TRUST_PROXY: 'none' }).apiTrustProxy).toEqual([]);
    expect(() => loadConfig({ ...base, API_TRUST_PROXY: 'loopback,10.0.0.0/99' })).toThrow(
      /API_TRUST_PROXY.*10\.0\.0\.0\/99/,
    );
  });

  it('documents every setting in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const undocumented = SETTINGS.map((s) => s.env).filter((name) => !readme.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
