import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';

/** Spends `n` of a budget through the API itself, 50 requests at a time. */
async function spend(s: TestServer, n: number, path: string, headers: Record<string, string>): Promise<void> {
  for (let done = 0; done < n; done += 50) {
    const batch = Math.min(50, n - done);
    const answers = await Promise.all(Array.from({ length: batch }, () => s.request('GET', path, { headers })));
    for (const a of answers) expect(a.status).toBe(200);
  }
}

for (const redis of [false, true]) {
  forEachDatabase(`devkit rate limits (${redis ? 'Redis' : 'in-process'} counters)`, (kind) => {
    let s: TestServer;
    // In-process counters on SQLite, Redis counters on PostgreSQL: each store once, each spend ~1,000 requests.
    const available = redis ? inject('redis') && kind === 'postgres' : kind === 'sqlite';
    beforeAll(async () => {
      if (available) s = await startServer(kind, { redis });
      else if (redis && kind === 'postgres')
        console.log('[tollgate tests] Redis not reachable: the Redis rate-limit test is skipped');
    });
    afterAll(async () => s?.close());

    it.runIf(available)(
      'answers the documented 429 once the Free Starter management budget (1,000/day) is spent',
      async () => {
        const dev = await seedDeveloper(s.ctx);
        await spend(s, 999, '/api/v1/projects/', dev.headers);
        const last = await s.request('GET', '/api/v1/projects/', { headers: dev.headers });
        expect(last.status).toBe(200);
        expect(last.headers.get('x-ratelimit-limit')).toBe('1000');
        expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
        const over = await s.request('GET', '/api/v1/projects/', { headers: dev.headers });
        expect(over.status).toBe(429);
        const retry = Number(over.headers.get('retry-after'));
        expect(retry).toBeGreaterThan(0);
        expect(over.body).toEqual({
          detail: `Rate limit exceeded. Try again in ${retry} seconds.`,
          retry_after: retry,
        });
        expect(Number(over.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
        // Another developer's budget is untouched.
        const other = await seedDeveloper(s.ctx);
        expect((await s.request('GET', '/api/v1/projects/', { headers: other.headers })).status).toBe(200);
      },
    );

    it.runIf(available)(
      'the devpayr face shares the budget and answers 429 in its envelope with Retry-After',
      async () => {
        const dev = await seedDeveloper(s.ctx);
        await spend(s, 1000, '/api/v1/projects/', dev.headers);
        const over = await s.request('GET', '/api/v1/projects', { headers: dev.apiKeyHeaders });
        expect(over.status).toBe(429);
        const retry = Number(over.headers.get('retry-after'));
        expect(retry).toBeGreaterThan(0);
        expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
        expect(over.body).toMatchObject({
          status: 'error',
          message: `Rate limit exceeded. Try again in ${retry} seconds.`,
          data: null,
        });
        // A refused create writes nothing.
        const create = await s.request('POST', '/api/v1/project', {
          headers: dev.apiKeyHeaders,
          body: { name: 'Over budget' },
        });
        expect(create.status).toBe(429);
        const { n } = await s.ctx.db
          .selectFrom('projects')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('owner_id', '=', dev.userId)
          .executeTakeFirstOrThrow();
        expect(Number(n)).toBe(0);
      },
    );
  });
}
