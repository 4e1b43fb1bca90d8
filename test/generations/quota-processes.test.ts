import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, sharedDatabase, startServer, type TestServer } from '../support/harness.js';
import { spawnServer, type ServerProcess } from '../multiprocess/processes.js';
import { utcMonth } from '../../src/core/generations/generation.js';
import { image, postGeneration, seedProjectUser } from './fixtures.js';

/**
 * The monthly quota across processes: this Tollgate and another OS process on one database
 * (PostgreSQL, or one SQLite file) take 50 parallel creates of one developer with 10 units
 * left between them: exactly 10.
 */
forEachDatabase('generations: quota exact across two processes', (kind) => {
  let drop: () => Promise<void>;
  let main: TestServer;
  let child: ServerProcess;
  const env = { TOLLGATE_SECRET: randomBytes(32).toString('base64url'), GENERATION_CONCURRENCY: '0' };

  beforeAll(async () => {
    const shared = await sharedDatabase(kind);
    drop = shared.drop;
    main = await startServer(kind, { databaseUrl: shared.url, env });
    child = await spawnServer(shared.url, { env });
  }, 180_000);

  afterAll(async () => {
    await child.stop();
    await main.close();
    await drop();
  });

  it('50 parallel creates split over two processes, 10 left: exactly 10 accepted, 40 refused with 429', {
    timeout: 120_000,
  }, async () => {
    const u = await seedProjectUser(main.ctx, { tier: 'free_starter' });
    const month = utcMonth(new Date());
    await main.ctx.db
      .insertInto('generation_usage')
      .values({ owner_id: u.developer.userId, month, used: 90 })
      .execute();
    const png = await image();
    const urls = [main.url, child.url];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postGeneration(urls[i % 2]!, u.headers, { images: [png], instructions: `two processes ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(40);
    // Each process refused some of its 25: both took part in the race for the last units.
    for (const side of [0, 1])
      expect(results.filter((r, i) => i % 2 === side && r.status === 429).length).toBeGreaterThanOrEqual(15);
    const row = await main.ctx.db
      .selectFrom('generation_usage')
      .select('used')
      .where('owner_id', '=', u.developer.userId)
      .where('month', '=', month)
      .executeTakeFirstOrThrow();
    expect(Number(row.used)).toBe(100);
    const { n } = await main.ctx.db
      .selectFrom('generations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', u.developer.userId)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(10);
  });
});
