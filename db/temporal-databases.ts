/**
 * The SQL the local Temporal server's launcher (devstack/temporal-server.ts) runs on Temporal's own databases:
 * creating them, and reading and clearing the cluster membership table the services announce themselves in.
 * Temporal's schemas themselves are set up by temporal-sql-tool, not here.
 */
import pg from 'pg';

/** Where Temporal's databases live, and the database to connect to for CREATE DATABASE. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  adminDatabase: string;
}

/** Creates the databases that do not exist yet (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabases(target: PgTarget, names: string[]): Promise<void> {
  const client = new pg.Client({ ...target, database: target.adminDatabase });
  await client.connect();
  try {
    for (const name of names) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount) continue;
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } catch (err) {
        // Another starter created it between the check and here.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Clears the membership table: rows of a previous run (alive for a while after it stopped) would make the new
 * services try to join those dead hosts for the whole 30 s join timeout. One cluster per database prefix: this
 * runs before any of its services start.
 */
export async function forgetMembers(target: PgTarget, database: string): Promise<void> {
  const client = new pg.Client({ ...target, database });
  await client.connect();
  try {
    await client.query('DELETE FROM cluster_membership');
  } finally {
    await client.end();
  }
}

/** How many distinct services (roles) have announced themselves in the membership table. */
export async function servicesJoined(target: PgTarget, database: string): Promise<number> {
  const client = new pg.Client({ ...target, database });
  await client.connect();
  try {
    const { rows } = await client.query<{ roles: string }>(
      'SELECT count(DISTINCT role) AS roles FROM cluster_membership',
    );
    return Number(rows[0]?.roles);
  } finally {
    await client.end();
  }
}
