/**
 * Process configuration: read once from the environment, validated, typed and frozen.
 * A missing or malformed setting stops the process with a message naming the variable.
 */
import Ajv from 'ajv';

/** Every setting the platform reads, after validation and defaults. */
export interface Config {
  readonly nodeEnv: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly logPretty: boolean;
  /** Postgres connection string; undefined means "start the embedded PGlite server". */
  readonly databaseUrl: string | undefined;
  readonly databasePoolMax: number;
  /** Folder for local state: Temporal dev server SQLite file, PGlite data. */
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  /** Temporal frontend address; undefined means "start the Temporal CLI dev server". */
  readonly temporalAddress: string | undefined;
  readonly temporalNamespace: string;
  readonly temporalDevPort: number;
  readonly temporalUiPort: number;
  /** Base URL of the Temporal Web UI, used for links from API responses. */
  readonly temporalUiUrl: string;
  readonly taskQueue: string;
  readonly apiHost: string;
  readonly apiPort: number;
  readonly apiBodyLimit: string;
}

interface Setting {
  env: string;
  key: keyof Config;
  type: 'string' | 'integer' | 'boolean';
  default?: string | number | boolean;
  enum?: readonly string[];
  pattern?: string;
  min?: number;
  max?: number;
}

const PORT = { min: 1, max: 65535 } as const;

/** The settings table; README.md documents the same list. */
export const SETTINGS: readonly Setting[] = [
  { env: 'NODE_ENV', key: 'nodeEnv', type: 'string', default: 'development' },
  { env: 'LOG_LEVEL', key: 'logLevel', type: 'string', default: 'info', enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] },
  { env: 'LOG_PRETTY', key: 'logPretty', type: 'boolean' },
  { env: 'DATABASE_URL', key: 'databaseUrl', type: 'string', pattern: '^postgres(ql)?://' },
  { env: 'DATABASE_POOL_MAX', key: 'databasePoolMax', type: 'integer', default: 10, min: 1, max: 1000 },
  { env: 'AOS_DATA_DIR', key: 'dataDir', type: 'string', default: '.data' },
  { env: 'EMBEDDED_PG_PORT', key: 'embeddedPgPort', type: 'integer', default: 5488, ...PORT },
  { env: 'TEMPORAL_ADDRESS', key: 'temporalAddress', type: 'string', pattern: '^[^\\s:/]+:\\d+$' },
  { env: 'TEMPORAL_NAMESPACE', key: 'temporalNamespace', type: 'string', default: 'default', pattern: '^[A-Za-z0-9._-]+$' },
  { env: 'TEMPORAL_DEV_PORT', key: 'temporalDevPort', type: 'integer', default: 7233, ...PORT },
  { env: 'TEMPORAL_UI_PORT', key: 'temporalUiPort', type: 'integer', default: 8233, ...PORT },
  { env: 'TEMPORAL_UI_URL', key: 'temporalUiUrl', type: 'string', pattern: '^https?://' },
  { env: 'TASK_QUEUE', key: 'taskQueue', type: 'string', default: 'aos-orchestrator', pattern: '^\\S+$' },
  { env: 'API_HOST', key: 'apiHost', type: 'string', default: '127.0.0.1' },
  { env: 'API_PORT', key: 'apiPort', type: 'integer', default: 3000, min: 0, max: 65535 },
  { env: 'API_BODY_LIMIT', key: 'apiBodyLimit', type: 'string', default: '1mb', pattern: '^\\d+(b|kb|mb)$' },
];

/** Raised when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true });

function settingSchema(s: Setting): Record<string, unknown> {
  return {
    type: s.type,
    ...(s.default !== undefined && { default: s.default }),
    ...(s.enum && { enum: s.enum }),
    ...(s.pattern && { pattern: s.pattern }),
    ...(s.min !== undefined && { minimum: s.min }),
    ...(s.max !== undefined && { maximum: s.max }),
  };
}

const validateEnv = ajv.compile({
  type: 'object',
  properties: Object.fromEntries(SETTINGS.map((s) => [s.env, settingSchema(s)])),
});

/** Parses and validates `env` (default `process.env`); throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const value = env[s.env];
    if (value !== undefined && value !== '') raw[s.env] = value;
  }
  if (!validateEnv(raw)) {
    const problems = (validateEnv.errors ?? []).map((e) => {
      const name = e.instancePath.replace(/^\//, '');
      return `${name}=${JSON.stringify(env[name])}: ${e.message}`;
    });
    throw new ConfigError(problems);
  }
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) out[s.key] = raw[s.env];
  out.logPretty ??= Boolean(process.stdout.isTTY);
  out.temporalUiUrl ??= `http://127.0.0.1:${out.temporalUiPort as number}`;
  return Object.freeze(out) as unknown as Config;
}

let cached: Config | undefined;

/** The process-wide configuration, loaded on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
