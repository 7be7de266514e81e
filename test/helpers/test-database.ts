/**
 * Test databases on the real PostgreSQL server. Each jest run migrates one template database; each
 * integration test file then gets its own copy (CREATE DATABASE ... TEMPLATE, fast), so files running in
 * parallel never see each other's rows. Only databases named after this run are ever dropped.
 */
import { randomBytes } from 'node:crypto';
import { createDb } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';

/** The admin server: set by globalSetup for test files; DATABASE_URL or the local default before that. */
export const ADMIN_URL =
  process.env.AOS_TEST_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function onAdmin<T>(fn: (admin: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const admin = createDb({ url: ADMIN_URL, poolMax: 1 });
  try {
    return await fn(admin);
  } finally {
    await admin.destroy();
  }
}

/** Creates the run's template `aos_test_<random>` with all migrations applied (no connection left open). */
export async function createTemplateDatabase(): Promise<TestDatabase> {
  const { name, url } = await createTestDatabase();
  return { name, url };
}

/** Copies the template into `<template>_<random>` for one test file. */
export async function cloneDatabase(template: string): Promise<TestDatabase> {
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  await onAdmin((admin) => admin.raw(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return { name, url: withDatabase(ADMIN_URL, name) };
}

/** Drops the template and every copy of it (names are unique to the run). */
export async function dropRunDatabases(template: string): Promise<void> {
  await onAdmin(async (admin) => {
    const names = await admin('pg_database')
      .where('datname', template)
      .orWhere('datname', 'like', `${template}\\_%`)
      .pluck('datname');
    for (const name of names as string[]) await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/** A standalone database (schema tests, benchmarks) with migrations unless `migrate: false`; drop() removes it. */
export async function createTestDatabase(
  opts: { migrate?: boolean } = {},
): Promise<TestDatabase & { drop(): Promise<void> }> {
  const name = `aos_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await onAdmin((admin) => admin.raw(`CREATE DATABASE ${name}`));
  const url = withDatabase(ADMIN_URL, name);
  if (opts.migrate !== false) {
    const db = createDb({ url, poolMax: 2 });
    await migrateLatest(db).finally(() => db.destroy());
  }
  return { name, url, drop: () => dropRunDatabases(name) };
}
