/**
 * Runs the embedded PGlite server in its own process for tests: PGlite loads its WASM through dynamic
 * import, which jest's VM sandbox refuses without --experimental-vm-modules. Prints the URL, then waits.
 */
import { startEmbeddedPostgres } from '../../devstack/embedded-postgres';

startEmbeddedPostgres({ port: 0, maxConnections: 4 }).then(
  (pg) => {
    process.stdout.write(`${pg.url}\n`);
    const stop = () => void pg.stop().finally(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
