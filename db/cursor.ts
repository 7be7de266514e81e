/**
 * Reading a large result in slices through a server-side cursor (DECLARE / FETCH inside the caller's transaction),
 * so archiving a whole partition never holds more than one slice in memory.
 */
import type { Knex } from 'knex';

let cursors = 0;

/**
 * Runs `sql` in `trx` and hands its rows to `onRows` `fetchSize` at a time, in order; answers the row count.
 * `sql` may use knex bindings (`?`, `??`).
 */
export async function streamQuery(
  trx: Knex.Transaction,
  sql: string,
  bindings: readonly Knex.RawBinding[],
  onRows: (rows: Record<string, unknown>[]) => Promise<void>,
  fetchSize = 1000,
): Promise<number> {
  const name = `aos_cursor_${++cursors}`;
  await trx.raw(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, bindings);
  let total = 0;
  for (;;) {
    const { rows } = (await trx.raw(`FETCH ${fetchSize} FROM ${name}`)) as { rows: Record<string, unknown>[] };
    if (rows.length === 0) break;
    total += rows.length;
    await onRows(rows);
    if (rows.length < fetchSize) break;
  }
  await trx.raw(`CLOSE ${name}`);
  return total;
}
