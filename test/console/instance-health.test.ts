import { afterAll, expect, it } from 'vitest';
import { uuidv7 } from '../../src/lib/ids.js';
import { image, postGeneration, seedProjectUser } from '../generations/fixtures.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, seedOperator } from '../support/seed.js';
import { ConsoleClient } from './client.js';

/** The operators' view of the instance over the console API: every part in words, the background loops, the version. */
forEachDatabase('console API: instance health for operators', (kind) => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const serve = async (workers: boolean) => {
    const s = await startServer(kind, { env: { RATE_LIMIT: 'off', REQUIRE_EMAIL_VERIFICATION: 'false' }, workers });
    servers.push(s);
    const op = new ConsoleClient(s);
    expect((await op.signInOperator((await seedOperator(s.ctx)).key)).status).toBe(200);
    return { s, op };
  };
  const byName = (checks: Array<{ name: string; status: string; summary: string }>) =>
    Object.fromEntries(checks.map((c) => [c.name, c]));

  it('names the database, Redis, storage, the provider, mail and each loop, with the version', async () => {
    const { s, op } = await serve(true);
    const r = await op.call('GET', '/operator/health');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ version: s.config.version, node: process.version });
    expect(r.body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    const parts = byName(r.body.components);
    expect(Object.keys(parts)).toEqual(['Database', 'Redis', 'Storage', 'Generation provider', 'Mail']);
    expect(parts.Database).toMatchObject({
      status: 'ok',
      summary: expect.stringMatching(kind === 'postgres' ? /^PostgreSQL \d/ : /^SQLite \d/),
    });
    expect(parts.Redis).toMatchObject({ status: 'off' });
    expect(parts.Storage).toMatchObject({ status: 'ok' });
    expect(parts['Generation provider']).toMatchObject({
      status: 'ok',
      summary: expect.stringContaining('local generator'),
    });
    // The harness records mail through a mailer of its own.
    expect(parts.Mail).toMatchObject({ status: 'ok' });
    expect(r.body.loops.map((l: { name: string; status: string }) => [l.name, l.status])).toEqual([
      ['Generation jobs', 'ok'],
      ['Webhook deliveries', 'ok'],
      ['Image removal', 'ok'],
    ]);
  });

  it('work left due past five minutes shows as a loop that is not keeping up, in words', async () => {
    const { s, op } = await serve(false);
    const dev = await seedDeveloper(s.ctx);
    const eu = await seedProjectUser(s.ctx, { developer: dev });
    const g = await postGeneration(s.url, eu.headers, {
      images: [await image('png', 3)],
      instructions: 'a queue that never moves',
    });
    expect(g.status, JSON.stringify(g.body)).toBe(200);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await s.ctx.db.updateTable('generations').set({ run_after: tenMinutesAgo }).where('id', '=', g.body.id).execute();
    await s.ctx.db
      .insertInto('generation_blob_deletions')
      .values({
        generation_id: uuidv7(),
        example_images: '[]',
        result_key: null,
        attempts: 0,
        due_at: tenMinutesAgo,
        created_at: tenMinutesAgo,
      })
      .execute();
    const loops = byName((await op.call('GET', '/operator/health')).body.loops);
    expect(loops['Generation jobs']).toMatchObject({
      status: 'warning',
      summary: expect.stringMatching(
        /^1 due for over 5 minutes, the oldest for 10: is a server or `tollgate worker` running\?$/,
      ),
    });
    expect(loops['Image removal']).toMatchObject({ status: 'warning' });
    expect(loops['Webhook deliveries']).toMatchObject({ status: 'ok', summary: 'Nothing waiting.' });
  });

  it('is for operators only', async () => {
    const { s } = await serve(true);
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    const r = await c.call('GET', '/operator/health');
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('operator_required');
  });
});
