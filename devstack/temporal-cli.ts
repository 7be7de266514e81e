/** Locates the Temporal CLI: the project-local install (scripts/install-temporal-cli.sh) first, then PATH. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Pinned CLI version; later tags cannot be `go install`ed. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const LOCAL_CLI_PATH = resolve(__dirname, '..', '.tools', 'bin', 'temporal');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns the path of a usable `temporal` binary, or throws with instructions. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.TEMPORAL_CLI_PATH, LOCAL_CLI_PATH, ...(env.PATH ?? '').split(delimiter).map((d) => join(d, 'temporal'))];
  const found = candidates.find((p): p is string => !!p && isExecutable(p));
  if (found) return found;
  throw new Error(
    'Temporal CLI not found. Run `npm run temporal:install` (needs Go), install the Temporal CLI ' +
      `${TEMPORAL_CLI_VERSION} your usual way and put it on PATH, or set TEMPORAL_ADDRESS to an existing Temporal server.`,
  );
}
