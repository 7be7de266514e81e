/**
 * The web console's build: Vite bundles console/ (React + TypeScript, console/vite.config.mts) into console/dist,
 * which the API serves at /console. `ensureConsoleBuilt` builds only when the bundle is missing or older than
 * its sources, so `npm start` and the browser tests pay for a build once (an up-to-date check takes a few ms).
 * Run directly (`tsx scripts/console-build.ts`) it does the same; `npm run build:console` always builds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
/** The console's folder and its output. */
export const CONSOLE_DIR = join(ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
/** Written last by a build: its time is the bundle's. */
const STAMP = join(CONSOLE_DIST, 'index.html');
/** Inputs besides console/src: a change to any of them makes the bundle stale. */
const INPUTS = ['index.html', 'vite.config.mts', 'tsconfig.json'].map((f) => join(CONSOLE_DIR, f));

/** Newest modification time (ms) at or under `path` (0 when missing). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), st.mtimeMs);
}

/** True when console/dist is missing or older than a source. */
export function consoleIsStale(): boolean {
  if (!existsSync(STAMP)) return true;
  return Math.max(newest(join(CONSOLE_DIR, 'src')), ...INPUTS.map(newest)) > statSync(STAMP).mtimeMs;
}

/** Builds the console now (Vite's CLI in a child process; throws when the build fails). */
export function buildConsole(): void {
  const vite = join(ROOT, 'node_modules', '.bin', 'vite');
  const res = spawnSync(vite, ['build', '--config', join(CONSOLE_DIR, 'vite.config.mts')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error(`console build failed (exit ${res.status ?? res.signal})`);
}

/** Builds the console when it is stale; returns whether it built. */
export function ensureConsoleBuilt(log: (msg: string) => void = () => undefined): boolean {
  if (!consoleIsStale()) return false;
  log('building the web console into console/dist (once; rebuilt when console/ changes)');
  buildConsole();
  return true;
}

if (require.main === module) {
  try {
    if (!ensureConsoleBuilt((m) => console.log(m))) console.log('console/dist is up to date');
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
