/**
 * The ordered list of migrations. Knex applies them in key order; add a new file as
 * `NNN_description.ts` and register it here. Migrations are forward-only: never edit one that has shipped.
 */
import type { Knex } from 'knex';

export const migrations: Record<string, Knex.Migration> = {};
