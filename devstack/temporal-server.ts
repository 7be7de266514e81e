/**
 * Runs the real Temporal server (v1.29.1, built by scripts/install-temporal-server.sh) on the local PostgreSQL:
 * its frontend, history, matching and worker services as four processes sharing one generated config, the way a
 * production cluster runs them. Used by `npm run temporal:server` and the cluster tests, where the dev server's
 * single process and SQLite would hide what several services, history shards and PostgreSQL change.
 *
 * Start-up: create the persistence and visibility databases if missing, bring their schemas to the binary's
 * version with temporal-sql-tool (idempotent), write the config, start the services, then register the namespace
 * and the platform's search attributes (a real server creates neither) and wait until both are usable.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { ensureDatabases, forgetMembers, servicesJoined, type PgTarget } from '../db/temporal-databases';
import { SEARCH_ATTRIBUTE_KEYS } from '../common/search-attributes';
import { freePort } from './free-port';
import { isExecutable } from './temporal-cli';

/** The server version the install script builds (same as the dev server's). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const LOCAL_BIN_DIR = resolve(__dirname, '..', '.tools', 'bin');
const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
type Service = (typeof SERVICES)[number];
/** Schemas embedded in temporal-sql-tool (`--schema-name`), so no Go module cache is needed at run time. */
const SCHEMAS = { persistence: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;

/** Options for {@link startTemporalServer}. */
export interface TemporalServerOptions {
  /** Where the two databases live (default postgres://postgres@127.0.0.1:5432/postgres). */
  postgresUrl?: string;
  /** Database names: <prefix> (persistence) and <prefix>_visibility; created and schema-set-up/updated if missing. */
  databasePrefix: string;
  /** Folder for the generated config, dynamic config and logs. */
  dataDir: string;
  /** Frontend gRPC port (default: a free port); other services' ports are picked free. */
  frontendPort?: number;
  /** numHistoryShards (default 4; fixed for the life of the databases). */
  historyShards?: number;
  namespace?: string; // default 'default'
  log?: (line: string) => void;
  /** Persistence connections per service process (default 6; visibility gets 2). Four processes share the DB. */
  maxConns?: number;
  /** How long to wait for the cluster and the namespace (default 120 s). */
  startTimeoutMs?: number;
}

/** A running server. */
export interface TemporalServer {
  address: string; // 127.0.0.1:<frontend port>
  namespace: string;
  /** Child processes, one per service (frontend, history, matching, worker). */
  processes: ChildProcess[];
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'Run `bash scripts/install-temporal-server.sh` (needs Go; builds the server and temporal-sql-tool ' +
  `${TEMPORAL_SERVER_VERSION} into .tools/bin), or set TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH to existing ` +
  'binaries, or point the platform at an existing cluster with TEMPORAL_ADDRESS=host:port.';

function findBinary(envPath: string | undefined, name: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [
    envPath,
    join(LOCAL_BIN_DIR, name),
    ...(env.PATH ?? '').split(delimiter).map((d) => join(d, name)),
  ];
  return candidates.find((p): p is string => !!p && isExecutable(p));
}

/** Paths of `temporal-server` and `temporal-sql-tool`; throws with install instructions when either is missing. */
export function findTemporalServerBinaries(env: NodeJS.ProcessEnv = process.env): { server: string; sqlTool: string } {
  const server = findBinary(env.TEMPORAL_SERVER_PATH, 'temporal-server', env);
  const sqlTool = findBinary(env.TEMPORAL_SQL_TOOL_PATH, 'temporal-sql-tool', env);
  if (server && sqlTool) return { server, sqlTool };
  const missing = [server ? undefined : 'temporal-server', sqlTool ? undefined : 'temporal-sql-tool'].filter(Boolean);
  throw new Error(`Temporal server binaries not found (${missing.join(', ')}). ${INSTALL_HINT}`);
}

function parsePostgresUrl(url: string): PgTarget {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    adminDatabase: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
}

/** `setup-schema -v 0.0` (versioning tables only; a no-op when present) then `update-schema` to the latest. */
async function setUpSchema(sqlTool: string, target: PgTarget, database: string, schemaName: string): Promise<void> {
  const base = ['--plugin', 'postgres12', '--ep', target.host, '-p', String(target.port), '-u', target.user];
  if (target.password) base.push('--pw', target.password);
  base.push('--db', database);
  const run = async (args: string[]) => {
    try {
      await promisify(execFile)(sqlTool, [...base, ...args], { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed: ${e.stderr || e.stdout || e.message}`);
    }
  };
  await run(['setup-schema', '-v', '0.0']);
  await run(['update-schema', '--schema-name', schemaName]);
}

type Ports = Record<Service, { grpc: number; membership: number }> & { http: number };

/** True when nothing listens on 127.0.0.1:<port> (it could be bound just now). */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolveBind) => {
    const srv = createServer();
    srv.once('error', () => resolveBind(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolveBind(true)));
  });
}

/**
 * Ports for the services. Membership ports are stored in a SMALLINT column (cluster_membership.rpc_port), so they
 * come from below 32768, outside Linux's usual ephemeral range; the others are any free port.
 */
async function pickPorts(frontendPort?: number): Promise<Ports> {
  const taken = new Set<number>(frontendPort ? [frontendPort] : []);
  const claim = (port: number) => (taken.has(port) ? false : (taken.add(port), true));
  const anyFree = async () => {
    for (;;) {
      const port = await freePort();
      if (claim(port)) return port;
    }
  };
  const membershipPort = async () => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const port = 20_000 + Math.floor(Math.random() * 12_000);
      if (!taken.has(port) && (await canBind(port)) && claim(port)) return port;
    }
    throw new Error('No free port below 32768 for Temporal membership');
  };
  const ports = { http: await anyFree() } as Ports;
  for (const service of SERVICES) {
    const grpc = service === 'frontend' && frontendPort ? frontendPort : await anyFree();
    ports[service] = { grpc, membership: await membershipPort() };
  }
  return ports;
}

function sqlStore(target: PgTarget, database: string, maxConns: number): string {
  return [
    `      sql:`,
    `        pluginName: postgres12`,
    `        databaseName: ${JSON.stringify(database)}`,
    `        connectAddr: ${JSON.stringify(`${target.host}:${target.port}`)}`,
    `        connectProtocol: tcp`,
    `        user: ${JSON.stringify(target.user)}`,
    `        password: ${JSON.stringify(target.password)}`,
    `        maxConns: ${maxConns}`,
    `        maxIdleConns: ${maxConns}`,
    `        maxConnLifetime: 1h`,
  ].join('\n');
}

/** The server config (JSON strings are valid YAML scalars, so values are quoted with JSON.stringify). */
function renderConfig(p: {
  target: PgTarget;
  databasePrefix: string;
  historyShards: number;
  ports: Ports;
  maxConns: number;
  dynamicConfigPath: string;
}): string {
  const service = (name: Service) =>
    [
      `  ${name}:`,
      `    rpc:`,
      `      grpcPort: ${p.ports[name].grpc}`,
      `      membershipPort: ${p.ports[name].membership}`,
      `      bindOnIP: 127.0.0.1`,
      ...(name === 'frontend' ? [`      httpPort: ${p.ports.http}`] : []),
    ].join('\n');
  const frontend = `127.0.0.1:${p.ports.frontend.grpc}`;
  return `# Generated by devstack/temporal-server.ts; rewritten on every start.
log:
  stdout: true
  level: info
  format: json

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${p.historyShards}
  datastores:
    postgres-default:
${sqlStore(p.target, p.databasePrefix, p.maxConns)}
    postgres-visibility:
${sqlStore(p.target, `${p.databasePrefix}_visibility`, 2)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1

services:
${SERVICES.map(service).join('\n')}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: ${JSON.stringify(frontend)}
      httpAddress: ${JSON.stringify(`127.0.0.1:${p.ports.http}`)}

dcRedirectionPolicy:
  policy: noop

publicClient:
  hostPort: ${JSON.stringify(frontend)}

dynamicConfigClient:
  filepath: ${JSON.stringify(p.dynamicConfigPath)}
  pollInterval: 10s
`;
}

/**
 * Dynamic config for a local cluster: namespaces and search attributes registered at start-up become usable
 * within a second instead of the production default's 10 s cache refresh.
 */
const DYNAMIC_CONFIG = `# Generated by devstack/temporal-server.ts.
system.namespaceCacheRefreshInterval:
  - value: 1s
frontend.enableExecuteMultiOperation:
  - value: true
limit.maxIDLength:
  - value: 255
`;

/** `msg: error` of an error-level JSON log line (without the stack trace), or a panic / fatal start-up line. */
function errorSummary(line: string): string | undefined {
  if (/^(panic:|Unable to)/.test(line)) return line;
  if (!/"level":"(error|fatal|dpanic|panic)"/.test(line)) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: string; error?: string };
    return entry.error ? `${entry.msg}: ${entry.error}` : entry.msg;
  } catch {
    return line.slice(0, 500);
  }
}

interface ServiceProcess {
  service: Service;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

function spawnService(
  server: string,
  dataDir: string,
  service: Service,
  log: ((line: string) => void) | undefined,
): ServiceProcess {
  const logFile = join(dataDir, 'logs', `${service}.log`);
  const out: WriteStream = createWriteStream(logFile, { flags: 'a' });
  // `--root <dataDir> --config config --env temporal` loads <dataDir>/config/temporal.yaml.
  const args = ['--root', dataDir, '--config', 'config', '--env', 'temporal', '--allow-no-auth'];
  args.push('start', '--service', service);
  // Own process group, like the dev server: a terminal's Ctrl-C reaches the parent, which stops us in order.
  const child = spawn(server, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: dataDir });
  const onData = (chunk: Buffer) => {
    // Output can still arrive after 'exit' (the pipes drain later); the log is closed on 'close', after them.
    if (!out.writableEnded) out.write(chunk);
    if (!log) return;
    for (const line of chunk.toString().split('\n')) {
      const summary = errorSummary(line);
      if (summary) log(`[temporal ${service}] ${summary}`);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.once('close', () => out.end());
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { service, child, logFile, exited };
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopOne({ child, exited }: ServiceProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * SIGTERM (SIGKILL after 10 s) in dependency order: the worker service first (its system workers drain their polls
 * through the frontend, and wait out their timeout without one), then the others together.
 */
async function stopAll(procs: ServiceProcess[]): Promise<void> {
  await Promise.all(procs.filter((p) => p.service === 'worker').map(stopOne));
  await Promise.all(procs.filter((p) => p.service !== 'worker').map(stopOne));
}

/**
 * Waits until the first service answers on its gRPC port: it has written (or updated) the cluster metadata by then,
 * so the others find it current instead of racing to write it.
 */
async function waitForFrontend(address: string, first: ServiceProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (first.child.exitCode !== null || first.child.signalCode !== null)
      throw new Error(`Temporal ${first.service} exited during start-up:\n${tail(first.logFile)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`Temporal ${first.service} did not answer on ${address} in time:\n${tail(first.logFile)}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * One registration pass: the namespace if missing, then the search attributes missing from it. Returns true when
 * the namespace answers and every attribute is listed and accepted in a visibility query.
 */
async function registerOnce(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.healthService.check({});
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 5 /* NOT_FOUND */) throw err;
      await connection.workflowService
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') })
        .catch((e: { code?: number }) => {
          if (e.code !== 6 /* ALREADY_EXISTS */) throw e;
        });
      return false; // usable once the services' namespace caches refresh
    }
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTE_KEYS.filter((k) => !(k.name in (listed.customAttributes ?? {})));
    if (missing.length) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, KEYWORD])),
      });
      return false;
    }
    // Goes through the frontend's namespace registry and search-attribute validation.
    const query = SEARCH_ATTRIBUTE_KEYS.map((k) => `${k.name} = 'ready'`).join(' AND ');
    await connection.workflowService.countWorkflowExecutions({ namespace, query });
    return true;
  } finally {
    await connection.close();
  }
}

async function waitUntilRegistered(
  address: string,
  namespace: string,
  deadline: number,
  failed: Promise<ServiceProcess>,
  joined: () => Promise<boolean>,
): Promise<void> {
  let stopped: ServiceProcess | undefined;
  void failed.then((p) => (stopped = p));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (stopped) throw new Error(`Temporal ${stopped.service} exited during start-up:\n${tail(stopped.logFile)}`);
    try {
      // The worker service runs Temporal's own system workflows (schedules among them): wait for it too.
      if ((await registerOnce(address, namespace)) && (await joined())) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(500);
  }
  throw new Error(
    `Temporal server on ${address} was not ready (namespace ${namespace} with the platform's search attributes) ` +
      `in time; last error: ${(lastError as Error | undefined)?.message ?? 'none'}`,
  );
}

/** Sets up the databases, starts the four services and returns once the namespace and search attributes work. */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.databasePrefix))
    throw new Error(`databasePrefix must be a lower-case SQL identifier, got ${JSON.stringify(opts.databasePrefix)}`);
  const { server, sqlTool } = findTemporalServerBinaries();
  const namespace = opts.namespace ?? 'default';
  const historyShards = opts.historyShards ?? 4;
  const target = parsePostgresUrl(opts.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const persistenceDb = opts.databasePrefix;
  const visibilityDb = `${opts.databasePrefix}_visibility`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 120_000);

  opts.log?.(`Temporal server: preparing databases ${persistenceDb} and ${visibilityDb}`);
  await ensureDatabases(target, [persistenceDb, visibilityDb]);
  await setUpSchema(sqlTool, target, persistenceDb, SCHEMAS.persistence);
  await setUpSchema(sqlTool, target, visibilityDb, SCHEMAS.visibility);
  await forgetMembers(target, persistenceDb);

  const dataDir = resolve(opts.dataDir);
  mkdirSync(join(dataDir, 'config'), { recursive: true });
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const ports = await pickPorts(opts.frontendPort);
  const dynamicConfigPath = join(dataDir, 'config', 'dynamic.yaml');
  writeFileSync(dynamicConfigPath, DYNAMIC_CONFIG);
  writeFileSync(
    join(dataDir, 'config', 'temporal.yaml'),
    renderConfig({
      target,
      databasePrefix: opts.databasePrefix,
      historyShards,
      ports,
      maxConns: opts.maxConns ?? 6,
      dynamicConfigPath,
    }),
  );

  // Services log errors while they find each other and while they stop; only those in between reach opts.log.
  let running = false;
  const serviceLog = opts.log && ((line: string) => running && opts.log?.(line));
  const procs: ServiceProcess[] = [];
  const killOnExit = () => procs.forEach((p) => p.child.kill('SIGKILL'));
  process.once('exit', killOnExit);
  const stop = async () => {
    running = false;
    await stopAll(procs);
    process.off('exit', killOnExit);
  };

  const address = `127.0.0.1:${ports.frontend.grpc}`;
  opts.log?.(
    `Temporal server: starting ${SERVICES.join(', ')} (frontend ${address}, logs in ${join(dataDir, 'logs')})`,
  );
  try {
    // Each service writes the cluster metadata as it starts (new databases, or new addresses on a re-run); at
    // once, all but one fail on its version check. So the frontend goes first, the other three once it answers.
    procs.push(spawnService(server, dataDir, 'frontend', serviceLog));
    await waitForFrontend(address, procs[0], deadline);
    procs.push(...SERVICES.slice(1).map((service) => spawnService(server, dataDir, service, serviceLog)));
    const firstExit = Promise.race(procs.map((p) => p.exited.then(() => p)));
    await waitUntilRegistered(
      address,
      namespace,
      deadline,
      firstExit,
      async () => (await servicesJoined(target, persistenceDb)) >= SERVICES.length,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  running = true;
  return { address, namespace, processes: procs.map((p) => p.child), stop };
}
