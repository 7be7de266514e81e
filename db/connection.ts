/** Knex connections to PostgreSQL (a real server or the embedded PGlite one; both speak the wire protocol). */
import knex, { Knex } from 'knex';
import { types } from 'pg';

// int8 (COUNT(*), bigint ids) as JS numbers: our counts and sequence numbers stay far below 2^53.
types.setTypeParser(types.builtins.INT8, (v) => Number.parseInt(v, 10));
// numeric as numbers too: durations and metrics are stored as numeric.
types.setTypeParser(types.builtins.NUMERIC, (v) => Number.parseFloat(v));

/** Options for {@link createDb}. */
export interface DbOptions {
  url: string;
  poolMax?: number;
}

/** Creates a knex instance for `url`. The caller owns it and must `destroy()` it. */
export function createDb({ url, poolMax = 10 }: DbOptions): Knex {
  return knex({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  });
}
