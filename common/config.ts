/**
 * Process configuration: read once from the environment, validated, typed and frozen.
 * A missing or malformed setting stops the process with a message naming the variable.
 */
import Ajv from 'ajv';
import ipaddr from 'ipaddr.js';
import { devSecret } from './dev-secrets';

/** Every setting the platform reads, after validation and defaults. */
export interface Config {
  readonly nodeEnv: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly logPretty: boolean;
  /** Also write the platform's logs to observability_service.observability_logs (batched, bounded, lossy). */
  readonly observabilityLogsDb: boolean;
  /** Lowest level written to observability_logs (independent of LOG_LEVEL). */
  readonly observabilityLogsLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** Most log lines waiting for the database; past it new lines are dropped and counted. */
  readonly observabilityLogsQueueMax: number;
  /** Longest a log line waits before its batch is written. */
  readonly observabilityLogsFlushMs: number;
  /** How often the process's Prometheus series are written to observability_metrics; 0 = never. */
  readonly observabilityMetricsRollupMs: number;
  /** OpenTelemetry tracing of requests, runs, steps and task attempts (`off`: no provider, no spans). */
  readonly tracing: 'on' | 'off';
  /** Share of new traces kept (parent-based: a span follows its parent's decision). */
  readonly tracingSampleRatio: number;
  /** Also write ended spans to observability_service.observability_traces (batched, bounded, lossy). */
  readonly observabilityTracesDb: boolean;
  /** Most spans waiting for the database; past it new spans are dropped and counted. */
  readonly observabilityTracesQueueMax: number;
  /** Longest a span waits before its batch is written. */
  readonly observabilityTracesFlushMs: number;
  /** The `service.name` of this process's spans; unset = the process's own name (aos-api, aos-worker, aos). */
  readonly otelServiceName: string | undefined;
  /** OTLP/HTTP collector base URL (spans go to `<url>/v1/traces`); unset (with the next) = no OTLP export. */
  readonly otelExporterOtlpEndpoint: string | undefined;
  /** OTLP/HTTP traces URL, used as given (overrides the base URL for spans). */
  readonly otelExporterOtlpTracesEndpoint: string | undefined;
  /** Days of observability_logs kept (whole daily partitions older than this are dropped); 0 = forever. */
  readonly observabilityLogsRetentionDays: number;
  /** Days of observability_traces kept; 0 = forever. */
  readonly observabilityTracesRetentionDays: number;
  /** Days of observability_metrics kept; 0 = forever. */
  readonly observabilityMetricsRetentionDays: number;
  /** Months of event_instances kept (partitions still holding undelivered events are kept); 0 = forever. */
  readonly eventInstancesRetentionMonths: number;
  /** Months of task_instances kept (partitions still holding rows of unfinished runs are kept); 0 = forever. */
  readonly taskInstancesRetentionMonths: number;
  /** Days a closed run (and its task rows, human-task history, control actions, waits) is kept; 0 = forever. */
  readonly workflowInstancesRetentionDays: number;
  /** Days a delivered event_queue_state row is kept; 0 = forever. */
  readonly eventQueueRetentionDays: number;
  /** Days a redriven or discarded dead letter is kept; 0 = forever. */
  readonly deadLettersRetentionDays: number;
  /** Folder where maintenance archives what it drops or deletes (gzip'd JSON lines); unset = no archive. */
  readonly maintenanceArchiveDir: string | undefined;
  /** Rows per delete batch of row retention. */
  readonly maintenanceBatchSize: number;
  /** Delete batches per table per maintenance run (the rest waits for the next run). */
  readonly maintenanceMaxBatches: number;
  /**
   * How often the worker runs data lifecycle maintenance (partitions ahead, retention), besides once at start-up;
   * 0 = never (run `npm run maintenance`).
   */
  readonly partitionMaintenanceIntervalMs: number;
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
  /** Frontend port of the real Temporal server `npm run temporal:server` runs (devstack/temporal-server.ts). */
  readonly temporalServerPort: number;
  /** PostgreSQL that server keeps its `temporal` and `temporal_visibility` databases in. */
  readonly temporalServerPostgresUrl: string;
  /** numHistoryShards of that server's databases: read when they are first set up, fixed afterwards. */
  readonly temporalServerHistoryShards: number;
  readonly temporalUiPort: number;
  /** Base URL of the Temporal Web UI, used for links from API responses. */
  readonly temporalUiUrl: string;
  /** Temporal's per-payload limit (`limit.blobSize.error`): larger task results, run inputs and outputs fail as PayloadTooLarge. */
  readonly temporalPayloadLimitBytes: number;
  readonly taskQueue: string;
  /** Task queue of test runs (#14): case runs with mocked task activities [`<TASK_QUEUE>-tests`]. */
  readonly testTaskQueue: string;
  /** Longest an activation waits for its gating test definitions to pass (docs/testing.md#activation-gate). */
  readonly activationGateTimeoutMs: number;
  /** Serve the test task queue from this worker process [true]. */
  readonly testRunner: boolean;
  /** Prebuilt workflow bundle (production); unset = bundle workflows/ at worker start. */
  readonly workflowBundlePath: string | undefined;
  /** Module whose default export is a record of `code` task handlers (path relative to the cwd, or a package). */
  readonly codeHandlersModule: string | undefined;
  /** How often the worker reconciles the mirror with Temporal; 0 disables the loop. */
  readonly reconcileIntervalMs: number;
  /** Wall-clock limit of one `transform` evaluation in its worker thread (the thread is terminated past it). */
  readonly transformTimeoutMs: number;
  /** Evaluation-step budget of one `transform` expression (the other expression limits are the defaults). */
  readonly transformMaxSteps: number;
  /** Worker threads that evaluate `transform` tasks (each runs one at a time; more tasks queue). */
  readonly transformThreads: number;
  /** The reconciler terminates a run whose workflow task failed this many times in a row; 0 disables it. */
  readonly workflowTaskMaxAttempts: number;
  readonly apiHost: string;
  /**
   * Proxies whose `X-Forwarded-For` the API believes (Express's `trust proxy`): `loopback`, `linklocal`,
   * `uniquelocal`, IP addresses and CIDRs. Empty: none, the socket's peer is the client.
   */
  readonly apiTrustProxy: readonly string[];
  readonly apiPort: number;
  readonly apiBodyLimit: string;
  /** Accept events whose pattern has no definition (stored unvalidated) instead of answering 422. */
  readonly acceptUnregisteredEvents: boolean;
  /** Most events one `POST /events/batch` may carry. */
  readonly eventBatchMax: number;
  /** Delivery attempts before an event is dead-lettered (a definition cannot raise it). */
  readonly eventDeliveryMaxAttempts: number;
  readonly eventDeliveryInitialIntervalMs: number;
  readonly eventDeliveryMaxIntervalMs: number;
  /** How long a dispatcher's claim on an event lasts unrenewed (its pass renews it every third of that). */
  readonly eventClaimLeaseMs: number;
  /** How often the worker's sweeper looks for stored events that were never handed to Temporal. */
  readonly eventSweepIntervalMs: number;
  /** Age after which a still-pending event counts as not handed over (the API's own hand-off gets this long). */
  readonly eventSweepGraceMs: number;
  /** Dispatcher shards: events split by a hash of their sequence key (docs/events.md#sharded-delivery). */
  readonly eventDispatchShards: number;
  /** How long a compiled payload validator is trusted before its definition's updated_at is re-checked. */
  readonly eventDefinitionCacheTtlMs: number;
  /** Longest a single-event ingest waits to share its store statement with concurrent ones; 0 = no group commit. */
  readonly eventGroupCommitWindowMs: number;
  /** Most events stored by one group-commit statement. */
  readonly eventGroupCommitMax: number;
  /** HS256 secret for access tokens (>= 32 chars); generated into the data dir outside production. */
  readonly authJwtSecret: string;
  readonly authAccessTokenTtlSeconds: number;
  readonly authRefreshTokenTtlSeconds: number;
  /** How long a resolved caller (user, permissions) is reused for the same credential; 0 = look up every request. */
  readonly authPrincipalCacheTtlMs: number;
  /** Failed logins allowed per IP + username in a 15-minute window. */
  readonly authLoginMaxAttempts: number;
  /** First-start admin account; created only when both email and password are set. */
  readonly authBootstrapAdminUsername: string;
  readonly authBootstrapAdminEmail: string | undefined;
  readonly authBootstrapAdminPassword: string | undefined;
  /** AES-256-GCM key (32 bytes, base64) for integration credentials; generated outside production. */
  readonly credentialsEncryptionKey: string;
  /** Destinations `http` and `integration` tasks may reach besides public addresses (hosts, host:port, IPs, CIDRs). */
  readonly egressAllow: readonly string[];
  /** Who may read the API's `/metrics`: anyone (`public`), callers with observability:read, or nobody (`off`). */
  readonly metricsApi: 'public' | 'authenticated' | 'off';
  /** Port of the worker's own `/metrics` server; 0 = not served. */
  readonly workerMetricsPort: number;
  readonly workerMetricsHost: string;
  /** host:port the Temporal SDK's Prometheus exporter binds (merged into `/metrics`); `off` = not installed. */
  readonly temporalMetricsAddress: string;
  /** How long a scrape-time gauge count is reused. */
  readonly metricsGaugeCacheMs: number;
  /** Longest a scrape waits for the gauge counts (their last values are shown instead). */
  readonly metricsGaugeTimeoutMs: number;
}

interface Setting {
  env: string;
  key: keyof Config;
  type: 'string' | 'integer' | 'number' | 'boolean';
  default?: string | number | boolean;
  enum?: readonly string[];
  pattern?: string;
  min?: number;
  max?: number;
}

const PORT = { min: 1, max: 65535 } as const;

/** A retention setting: a count of days or months, 0 meaning "keep forever". */
function retention(env: string, key: keyof Config, dflt: number, max: number): Setting {
  return { env, key, type: 'integer', default: dflt, min: 0, max };
}

/** The settings table; README.md documents the same list. */
export const SETTINGS: readonly Setting[] = [
  { env: 'NODE_ENV', key: 'nodeEnv', type: 'string', default: 'development' },
  {
    env: 'LOG_LEVEL',
    key: 'logLevel',
    type: 'string',
    default: 'info',
    enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
  },
  { env: 'LOG_PRETTY', key: 'logPretty', type: 'boolean' },
  { env: 'OBSERVABILITY_LOGS_DB', key: 'observabilityLogsDb', type: 'boolean', default: true },
  {
    env: 'OBSERVABILITY_LOGS_LEVEL',
    key: 'observabilityLogsLevel',
    type: 'string',
    default: 'info',
    enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
  },
  {
    env: 'OBSERVABILITY_LOGS_QUEUE_MAX',
    key: 'observabilityLogsQueueMax',
    type: 'integer',
    default: 10000,
    min: 1,
    max: 1000000,
  },
  {
    env: 'OBSERVABILITY_LOGS_FLUSH_MS',
    key: 'observabilityLogsFlushMs',
    type: 'integer',
    default: 1000,
    min: 10,
    max: 60000,
  },
  {
    env: 'OBSERVABILITY_METRICS_ROLLUP_MS',
    key: 'observabilityMetricsRollupMs',
    type: 'integer',
    default: 60000,
    min: 0,
    max: 86_400_000,
  },
  { env: 'TRACING', key: 'tracing', type: 'string', default: 'on', enum: ['on', 'off'] },
  { env: 'TRACING_SAMPLE_RATIO', key: 'tracingSampleRatio', type: 'number', default: 1, min: 0, max: 1 },
  { env: 'OBSERVABILITY_TRACES_DB', key: 'observabilityTracesDb', type: 'boolean', default: true },
  {
    env: 'OBSERVABILITY_TRACES_QUEUE_MAX',
    key: 'observabilityTracesQueueMax',
    type: 'integer',
    default: 10000,
    min: 1,
    max: 1000000,
  },
  {
    env: 'OBSERVABILITY_TRACES_FLUSH_MS',
    key: 'observabilityTracesFlushMs',
    type: 'integer',
    default: 1000,
    min: 10,
    max: 60000,
  },
  { env: 'OTEL_SERVICE_NAME', key: 'otelServiceName', type: 'string', pattern: '^\\S{1,100}$' },
  { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', key: 'otelExporterOtlpEndpoint', type: 'string', pattern: '^https?://' },
  {
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    key: 'otelExporterOtlpTracesEndpoint',
    type: 'string',
    pattern: '^https?://',
  },
  retention('OBSERVABILITY_LOGS_RETENTION_DAYS', 'observabilityLogsRetentionDays', 14, 3650),
  retention('OBSERVABILITY_TRACES_RETENTION_DAYS', 'observabilityTracesRetentionDays', 7, 3650),
  retention('OBSERVABILITY_METRICS_RETENTION_DAYS', 'observabilityMetricsRetentionDays', 30, 3650),
  retention('EVENT_INSTANCES_RETENTION_MONTHS', 'eventInstancesRetentionMonths', 0, 1200),
  retention('TASK_INSTANCES_RETENTION_MONTHS', 'taskInstancesRetentionMonths', 0, 1200),
  retention('WORKFLOW_INSTANCES_RETENTION_DAYS', 'workflowInstancesRetentionDays', 0, 36500),
  retention('EVENT_QUEUE_RETENTION_DAYS', 'eventQueueRetentionDays', 0, 36500),
  retention('DEAD_LETTERS_RETENTION_DAYS', 'deadLettersRetentionDays', 0, 36500),
  { env: 'MAINTENANCE_ARCHIVE_DIR', key: 'maintenanceArchiveDir', type: 'string', pattern: '^\\S' },
  {
    env: 'MAINTENANCE_BATCH_SIZE',
    key: 'maintenanceBatchSize',
    type: 'integer',
    default: 1000,
    min: 1,
    max: 100_000,
  },
  {
    env: 'MAINTENANCE_MAX_BATCHES',
    key: 'maintenanceMaxBatches',
    type: 'integer',
    default: 100,
    min: 1,
    max: 100_000,
  },
  {
    env: 'PARTITION_MAINTENANCE_INTERVAL_MS',
    key: 'partitionMaintenanceIntervalMs',
    type: 'integer',
    default: 86_400_000,
    min: 0,
    max: 604_800_000,
  },
  { env: 'DATABASE_URL', key: 'databaseUrl', type: 'string', pattern: '^postgres(ql)?://' },
  { env: 'DATABASE_POOL_MAX', key: 'databasePoolMax', type: 'integer', default: 10, min: 1, max: 1000 },
  { env: 'AOS_DATA_DIR', key: 'dataDir', type: 'string', default: '.data' },
  { env: 'EMBEDDED_PG_PORT', key: 'embeddedPgPort', type: 'integer', default: 5488, ...PORT },
  { env: 'TEMPORAL_ADDRESS', key: 'temporalAddress', type: 'string', pattern: '^[^\\s:/]+:\\d+$' },
  {
    env: 'TEMPORAL_NAMESPACE',
    key: 'temporalNamespace',
    type: 'string',
    default: 'default',
    pattern: '^[A-Za-z0-9._-]+$',
  },
  { env: 'TEMPORAL_DEV_PORT', key: 'temporalDevPort', type: 'integer', default: 7233, ...PORT },
  { env: 'TEMPORAL_SERVER_PORT', key: 'temporalServerPort', type: 'integer', default: 7233, ...PORT },
  {
    env: 'TEMPORAL_SERVER_POSTGRES_URL',
    key: 'temporalServerPostgresUrl',
    type: 'string',
    default: 'postgres://postgres@127.0.0.1:5432/postgres',
    pattern: '^postgres(ql)?://',
  },
  {
    env: 'TEMPORAL_SERVER_HISTORY_SHARDS',
    key: 'temporalServerHistoryShards',
    type: 'integer',
    default: 4,
    min: 1,
    max: 16_384,
  },
  { env: 'TEMPORAL_UI_PORT', key: 'temporalUiPort', type: 'integer', default: 8233, ...PORT },
  { env: 'TEMPORAL_UI_URL', key: 'temporalUiUrl', type: 'string', pattern: '^https?://' },
  {
    env: 'TEMPORAL_PAYLOAD_LIMIT_BYTES',
    key: 'temporalPayloadLimitBytes',
    type: 'integer',
    default: 2_097_152,
    min: 1024,
    max: 134_217_728,
  },
  { env: 'TASK_QUEUE', key: 'taskQueue', type: 'string', default: 'aos-orchestrator', pattern: '^\\S+$' },
  { env: 'TEST_TASK_QUEUE', key: 'testTaskQueue', type: 'string', pattern: '^\\S+$' },
  { env: 'TEST_RUNNER', key: 'testRunner', type: 'boolean', default: true },
  {
    env: 'ACTIVATION_GATE_TIMEOUT_MS',
    key: 'activationGateTimeoutMs',
    type: 'integer',
    default: 120_000,
    min: 1000,
    max: 3_600_000,
  },
  { env: 'WORKFLOW_BUNDLE_PATH', key: 'workflowBundlePath', type: 'string' },
  { env: 'CODE_HANDLERS_MODULE', key: 'codeHandlersModule', type: 'string' },
  {
    env: 'RECONCILE_INTERVAL_MS',
    key: 'reconcileIntervalMs',
    type: 'integer',
    default: 30_000,
    min: 0,
    max: 86_400_000,
  },
  {
    env: 'TRANSFORM_TIMEOUT_MS',
    key: 'transformTimeoutMs',
    type: 'integer',
    default: 10_000,
    min: 100,
    max: 3_600_000,
  },
  {
    env: 'TRANSFORM_MAX_STEPS',
    key: 'transformMaxSteps',
    type: 'integer',
    default: 1_000_000,
    min: 1000,
    max: 1_000_000_000,
  },
  { env: 'TRANSFORM_THREADS', key: 'transformThreads', type: 'integer', default: 2, min: 1, max: 64 },
  {
    env: 'WORKFLOW_TASK_MAX_ATTEMPTS',
    key: 'workflowTaskMaxAttempts',
    type: 'integer',
    default: 10,
    min: 0,
    max: 10_000,
  },
  { env: 'API_HOST', key: 'apiHost', type: 'string', default: '127.0.0.1' },
  {
    env: 'API_TRUST_PROXY',
    key: 'apiTrustProxy',
    type: 'string',
    default: 'loopback',
    pattern: '^[A-Za-z0-9.:/,\\s]*$',
  },
  { env: 'API_PORT', key: 'apiPort', type: 'integer', default: 3000, min: 0, max: 65535 },
  { env: 'API_BODY_LIMIT', key: 'apiBodyLimit', type: 'string', default: '1mb', pattern: '^\\d+(b|kb|mb)$' },
  { env: 'ACCEPT_UNREGISTERED_EVENTS', key: 'acceptUnregisteredEvents', type: 'boolean', default: false },
  { env: 'EVENT_BATCH_MAX', key: 'eventBatchMax', type: 'integer', default: 500, min: 1, max: 10_000 },
  {
    env: 'EVENT_DELIVERY_MAX_ATTEMPTS',
    key: 'eventDeliveryMaxAttempts',
    type: 'integer',
    default: 8,
    min: 1,
    max: 100,
  },
  {
    env: 'EVENT_DELIVERY_INITIAL_INTERVAL_MS',
    key: 'eventDeliveryInitialIntervalMs',
    type: 'integer',
    default: 1000,
    min: 1,
    max: 3_600_000,
  },
  {
    env: 'EVENT_DELIVERY_MAX_INTERVAL_MS',
    key: 'eventDeliveryMaxIntervalMs',
    type: 'integer',
    default: 300_000,
    min: 1,
    max: 86_400_000,
  },
  {
    env: 'EVENT_CLAIM_LEASE_MS',
    key: 'eventClaimLeaseMs',
    type: 'integer',
    default: 30_000,
    min: 300,
    max: 3_600_000,
  },
  {
    env: 'EVENT_SWEEP_INTERVAL_MS',
    key: 'eventSweepIntervalMs',
    type: 'integer',
    default: 5000,
    min: 100,
    max: 3_600_000,
  },
  { env: 'EVENT_SWEEP_GRACE_MS', key: 'eventSweepGraceMs', type: 'integer', default: 10_000, min: 0, max: 3_600_000 },
  { env: 'EVENT_DISPATCH_SHARDS', key: 'eventDispatchShards', type: 'integer', default: 4, min: 1, max: 256 },
  {
    env: 'EVENT_DEFINITION_CACHE_TTL_MS',
    key: 'eventDefinitionCacheTtlMs',
    type: 'integer',
    default: 1000,
    min: 0,
    max: 3_600_000,
  },
  {
    env: 'EVENT_GROUP_COMMIT_WINDOW_MS',
    key: 'eventGroupCommitWindowMs',
    type: 'integer',
    default: 2,
    min: 0,
    max: 50,
  },
  { env: 'EVENT_GROUP_COMMIT_MAX', key: 'eventGroupCommitMax', type: 'integer', default: 100, min: 1, max: 1000 },
  { env: 'AUTH_JWT_SECRET', key: 'authJwtSecret', type: 'string', pattern: '^\\S{32,}$' },
  {
    env: 'AUTH_ACCESS_TOKEN_TTL',
    key: 'authAccessTokenTtlSeconds',
    type: 'integer',
    default: 900,
    min: 30,
    max: 86_400,
  },
  {
    env: 'AUTH_REFRESH_TOKEN_TTL',
    key: 'authRefreshTokenTtlSeconds',
    type: 'integer',
    default: 2_592_000,
    min: 300,
    max: 31_536_000,
  },
  {
    env: 'AUTH_PRINCIPAL_CACHE_TTL_MS',
    key: 'authPrincipalCacheTtlMs',
    type: 'integer',
    default: 5000,
    min: 0,
    max: 60_000,
  },
  { env: 'AUTH_LOGIN_MAX_ATTEMPTS', key: 'authLoginMaxAttempts', type: 'integer', default: 10, min: 1, max: 10_000 },
  {
    env: 'AUTH_BOOTSTRAP_ADMIN_USERNAME',
    key: 'authBootstrapAdminUsername',
    type: 'string',
    default: 'admin',
    pattern: '^[A-Za-z0-9._@-]{1,255}$',
  },
  { env: 'AUTH_BOOTSTRAP_ADMIN_EMAIL', key: 'authBootstrapAdminEmail', type: 'string', pattern: '^[^\\s@]+@[^\\s@]+$' },
  { env: 'AUTH_BOOTSTRAP_ADMIN_PASSWORD', key: 'authBootstrapAdminPassword', type: 'string', pattern: '^.{12,}$' },
  {
    env: 'CREDENTIALS_ENCRYPTION_KEY',
    key: 'credentialsEncryptionKey',
    type: 'string',
    pattern: '^[A-Za-z0-9+/]{43}=$',
  },
  // Each entry is checked precisely when the worker builds its egress policy (activities/tasks/egress/policy.ts).
  {
    env: 'METRICS_API',
    key: 'metricsApi',
    type: 'string',
    default: 'public',
    enum: ['public', 'authenticated', 'off'],
  },
  { env: 'WORKER_METRICS_PORT', key: 'workerMetricsPort', type: 'integer', default: 0, min: 0, max: 65535 },
  { env: 'WORKER_METRICS_HOST', key: 'workerMetricsHost', type: 'string', default: '0.0.0.0' },
  {
    env: 'TEMPORAL_METRICS_ADDRESS',
    key: 'temporalMetricsAddress',
    type: 'string',
    default: 'auto',
    pattern: '^(off|auto|[A-Za-z0-9.\\[\\]:-]+:\\d{1,5})$',
  },
  { env: 'METRICS_GAUGE_CACHE_MS', key: 'metricsGaugeCacheMs', type: 'integer', default: 5000, min: 0, max: 3_600_000 },
  {
    env: 'METRICS_GAUGE_TIMEOUT_MS',
    key: 'metricsGaugeTimeoutMs',
    type: 'integer',
    default: 2000,
    min: 1,
    max: 60_000,
  },
  { env: 'EGRESS_ALLOW', key: 'egressAllow', type: 'string', default: '', pattern: '^[A-Za-z0-9.:/\\[\\]*_,\\s-]*$' },
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
  out.testTaskQueue ??= `${out.taskQueue as string}-tests`;
  out.egressAllow = Object.freeze(
    String(out.egressAllow ?? '')
      .split(/[\s,]+/)
      .filter(Boolean),
  );
  out.apiTrustProxy = trustedProxies(String(out.apiTrustProxy ?? ''));
  resolveSecrets(out);
  return Object.freeze(out) as unknown as Config;
}

const PROXY_SUBNET_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** API_TRUST_PROXY as a list Express accepts; `none` (or nothing) trusts no proxy. */
function trustedProxies(value: string): readonly string[] {
  const entries = value.split(/[\s,]+/).filter(Boolean);
  if (entries.length === 1 && entries[0] === 'none') return Object.freeze([]);
  const bad = entries.filter((e) => !PROXY_SUBNET_NAMES.has(e) && !ipaddr.isValid(e) && !isCidr(e));
  if (bad.length > 0) {
    throw new ConfigError([
      `API_TRUST_PROXY=${JSON.stringify(value)}: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not loopback, linklocal, uniquelocal, an IP address or a CIDR`,
    ]);
  }
  return Object.freeze(entries);
}

function isCidr(entry: string): boolean {
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

/** Secrets that production must set; elsewhere they are generated once and kept in the data dir. */
const SECRETS = [
  { env: 'AUTH_JWT_SECRET', key: 'authJwtSecret', file: 'jwt-secret' },
  { env: 'CREDENTIALS_ENCRYPTION_KEY', key: 'credentialsEncryptionKey', file: 'credentials-key' },
] as const;

function resolveSecrets(out: Record<string, unknown>): void {
  const missing = SECRETS.filter((s) => out[s.key] === undefined);
  if (missing.length === 0) return;
  if (out.nodeEnv === 'production') {
    throw new ConfigError(missing.map((s) => `${s.env} is required when NODE_ENV=production`));
  }
  for (const s of missing) out[s.key] = devSecret(out.dataDir as string, s.file);
}

let cached: Config | undefined;

/** The process-wide configuration, loaded on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
