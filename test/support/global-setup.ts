import type { TestProject } from 'vitest/node';
import { postgresReachable, redisReachable, PG_URL, REDIS_URL } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: boolean;
    redis: boolean;
  }
}

/** Says once, up front, which real services the suite will use and why any part is skipped. */
export default async function setup(project: TestProject): Promise<void> {
  const [pgOk, redisOk] = await Promise.all([postgresReachable(), redisReachable()]);
  project.provide('postgres', pgOk);
  project.provide('redis', redisOk);
  console.log(`[tollgate tests] SQLite: always. PostgreSQL (${PG_URL}): ${pgOk ? 'reachable, tests run on it too' : 'NOT reachable, its tests are skipped'}.`);
  console.log(`[tollgate tests] Redis (${REDIS_URL}): ${redisOk ? 'reachable, Redis tests run' : 'NOT reachable, Redis tests are skipped'}.`);
}
