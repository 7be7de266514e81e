/** Locates the Temporal CLI: the project-local install (scripts/install-temporal-cli.sh) first, then PATH. */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Pinned CLI version; later tags cannot be `go install`ed. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const LOCAL_CLI_PATH = resolve(__dirname, '..', '.tools', 'bin', 'temporal');

/** True when `path` exists and this process may execute it. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns the path of a usable `temporal` binary, or throws with instructions. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.TEMPORAL_CLI_PATH,
    LOCAL_CLI_PATH,
    ...(env.PATH ?? '').split(delimiter).map((d) => join(d, 'temporal')),
  ];
  const found = candidates.find((p): p is string => !!p && isExecutable(p));
  if (found) return found;
  throw new Error(
    'Temporal CLI not found. Run `npm run temporal:install` (needs Go), install the Temporal CLI ' +
      `${TEMPORAL_CLI_VERSION} your usual way and put it on PATH, or set TEMPORAL_ADDRESS to an existing Temporal server.`,
  );
}

/**
 * Like {@link findTemporalCli}, but first builds the pinned CLI with scripts/install-temporal-cli.sh when
 * it is missing (that script explains what to do when Go is not available either).
 */
export function ensureTemporalCli(log: (msg: string) => void = console.log): string {
  try {
    return findTemporalCli();
  } catch {
    log(
      `Temporal CLI not found: building ${TEMPORAL_CLI_VERSION} into .tools/bin (first time only, takes a few minutes)`,
    );
    const script = resolve(__dirname, '..', 'scripts', 'install-temporal-cli.sh');
    const result = spawnSync('bash', [script], { stdio: 'inherit' });
    if (result.status !== 0)
      throw new Error('Installing the Temporal CLI failed (see above). Install it yourself, or set TEMPORAL_ADDRESS.');
    return findTemporalCli();
  }
}
