/**
 * `npm start` end to end: with neither DATABASE_URL nor TEMPORAL_ADDRESS it brings up the Temporal dev
 * server, embedded PGlite, the worker and the API; Ctrl-C stops all of it; a second start finds the data.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDb } from '../../db/connection';
import { freePort } from '../../devstack/free-port';

const root = join(__dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'aos-start-'));
let ports: { api: number; pg: number; temporal: number; ui: number };

function startPlatform(): { child: ChildProcess; output: string[] } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AOS_DATA_DIR: dataDir,
    API_PORT: String(ports.api),
    EMBEDDED_PG_PORT: String(ports.pg),
    TEMPORAL_DEV_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    LOG_PRETTY: 'false',
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  return { child, output };
}

async function waitReady(output: string[]): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${ports.api}/readyz`);
      if (res.status === 200) return (await res.json()) as Record<string, unknown>;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`platform not ready:\n${output.join('')}`);
}

/** Every process below `pid` (the dev server is the one that matters). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const found: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (found.push(c), walk(c)));
  walk(pid);
  return found;
}

/** `ps` lines of the processes in `pids` still running (zombies excluded) after waiting up to `ms`. */
async function survivorsAfter(pids: number[], ms: number): Promise<string[]> {
  const running = () =>
    pids
      .map((pid) => {
        try {
          return execFileSync('ps', ['-o', 'pid=,stat=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
        } catch {
          return ''; // ps exits 1 when the process is gone
        }
      })
      .filter((line) => line && !/^\d+\s+Z/.test(line));
  const deadline = Date.now() + ms;
  while (running().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return running();
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

beforeAll(async () => {
  ports = { api: await freePort(), pg: await freePort(), temporal: await freePort(), ui: await freePort() };
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('runs the platform on embedded defaults, stops cleanly on Ctrl-C, and finds its data again', async () => {
    const first = startPlatform();
    const ready = await waitReady(first.output);
    expect(ready).toMatchObject({ status: 'ok', checks: { postgres: { ok: true }, temporal: { ok: true } } });
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
    expect(ui.status).toBe(200);
    expect(first.output.join('')).toContain(`http://127.0.0.1:${ports.ui}`);

    // Leave a trace in both stores: a row in PGlite and a long-running workflow in the dev server's SQLite.
    const db = createDb({ url: `postgres://postgres@127.0.0.1:${ports.pg}/postgres`, poolMax: 1 });
    await db.raw(`CREATE TABLE IF NOT EXISTS public.restart_probe (v text)`);
    await db('public.restart_probe').insert({ v: 'kept' });
    await db.destroy();
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const client = new Client({ connection });
    await client.workflow.start('interpreterWorkflow', {
      taskQueue: 'restart-probe-queue', // no worker polls it: the run simply stays open
      workflowId: 'restart-probe',
      args: [{}],
    });
    await connection.close();

    const spawned = descendants(first.child.pid!);
    expect(spawned.length).toBeGreaterThan(0);
    expect(await stop(first.child)).toBe(0);
    expect(await survivorsAfter(spawned, 5_000)).toEqual([]);

    const second = startPlatform();
    try {
      await waitReady(second.output);
      const again = createDb({ url: `postgres://postgres@127.0.0.1:${ports.pg}/postgres`, poolMax: 1 });
      expect(await again('public.restart_probe').pluck('v')).toEqual(['kept']);
      // The log sink wrote the first start's lines, its last ones flushed on shutdown (docs/observability.md).
      const logged = await again('observability_service.observability_logs')
        .where({ service: 'aos' })
        .whereIn('message', ['platform ready', 'shutting down'])
        .pluck('message');
      expect(new Set(logged)).toEqual(new Set(['platform ready', 'shutting down']));
      await again.destroy();
      const conn2 = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      const description = await new Client({ connection: conn2 }).workflow.getHandle('restart-probe').describe();
      expect(description.status.name).toBe('RUNNING');
      await conn2.close();
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 400_000);
});
