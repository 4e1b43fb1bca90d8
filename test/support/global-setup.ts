import type { TestProject } from 'vitest/node';
import { toConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { compileChildScripts } from './child-scripts.js';
import { createMigratedTemplate, postgresReachable, redisReachable, PG_URL, REDIS_URL } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: boolean;
    redis: boolean;
    /** A migrated PostgreSQL database that test databases are copied from (empty when PostgreSQL is not reachable). */
    pgTemplate: string;
    /** Where src/ and the test helpers are compiled for the OS processes tests start (child-scripts.ts). */
    childScripts: string;
  }
}

/** Says once, up front, which real services the suite will use and why any part is skipped. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [pgOk, redisOk] = await Promise.all([postgresReachable(), redisReachable()]);
  project.provide('postgres', pgOk);
  project.provide('redis', redisOk);
  // Migrated once here instead of once per server: each test database is a copy of it.
  const template = pgOk ? await createMigratedTemplate(migrate) : null;
  project.provide('pgTemplate', template?.name ?? '');
  const scripts = await compileChildScripts();
  project.provide('childScripts', scripts.dir);
  // Watch mode: children run the sources as they are now.
  project.onTestsRerun(() => scripts.rebuild());
  console.log(
    `[tollgate tests] SQLite: always. PostgreSQL (${PG_URL}): ${pgOk ? 'reachable, tests run on it too' : 'NOT reachable, its tests are skipped'}.`,
  );
  console.log(
    `[tollgate tests] Redis (${REDIS_URL}): ${redisOk ? 'reachable, Redis tests run' : 'NOT reachable, Redis tests are skipped'}.`,
  );
  return async () => {
    await template?.drop();
    scripts.remove();
  };
}

async function migrate(url: string): Promise<void> {
  const database = openDatabase(toConfig({ DATABASE_URL: url }));
  try {
    await migrateToLatest(database.db, database.dialect);
  } finally {
    await database.close();
  }
}
