import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { utcMonth } from '../../src/core/generations/generation.js';
import { FAST_JOBS, image, postGeneration, send, seedProjectUser, waitForEnd, type SeededEndUser } from './fixtures.js';

const QUOTA_DETAIL = 'AI generation rate limit exceeded. Try again later.';

async function setUsed(s: TestServer, ownerId: string, used: number): Promise<void> {
  const month = utcMonth(new Date());
  await s.ctx.db
    .insertInto('generation_usage')
    .values({ owner_id: ownerId, month, used })
    .onConflict((oc) => oc.columns(['owner_id', 'month']).doUpdateSet({ used }))
    .execute();
}

async function usedOf(s: TestServer, ownerId: string): Promise<number | null> {
  const row = await s.ctx.db
    .selectFrom('generation_usage')
    .select('used')
    .where('owner_id', '=', ownerId)
    .where('month', '=', utcMonth(new Date()))
    .executeTakeFirst();
  return row ? Number(row.used) : null;
}

forEachDatabase('generations: monthly quota', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    // No job runs here: the counts are about acceptance.
    s = await startServer(kind, { env: { ...FAST_JOBS, GENERATION_CONCURRENCY: '0' } });
  });
  afterAll(() => s.close());

  it('50 parallel creates with 10 left accept exactly 10; the rest get the documented 429 with Retry-After', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'free_starter' });
    await setUsed(s, u.developer.userId, 90);
    const png = await image();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postGeneration(s.url, u.headers, { images: [png], instructions: `parallel ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(40);
    for (const r of refused) {
      expect(r.body.detail).toBe(QUOTA_DETAIL);
      expect(r.body.retry_after).toBeGreaterThan(0);
      expect(r.headers.get('retry-after')).toBe(String(r.body.retry_after));
    }
    expect(await usedOf(s, u.developer.userId)).toBe(100);
    const { n } = await s.ctx.db
      .selectFrom('generations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', u.developer.userId)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(10);
  });

  it('the quota is the developer’s over all projects; Cloud Starter has 1,000; Cloud Premium is unlimited', async () => {
    const a = await seedProjectUser(s.ctx, { tier: 'cloud_starter' });
    const b = await seedProjectUser(s.ctx, { tier: 'cloud_starter', developer: a.developer });
    await setUsed(s, a.developer.userId, 999);
    expect((await postGeneration(s.url, b.headers, { images: [await image()], instructions: 'last one' })).status).toBe(
      200,
    );
    expect(
      (await postGeneration(s.url, a.headers, { images: [await image()], instructions: 'one too many' })).status,
    ).toBe(429);

    const p = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
    await setUsed(s, p.developer.userId, 1_000_000);
    expect(
      (await postGeneration(s.url, p.headers, { images: [await image()], instructions: 'unlimited' })).status,
    ).toBe(200);
  });

  it('a refused create is refused before its upload is stored', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'free_starter' });
    await setUsed(s, u.developer.userId, 100);
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'no room' });
    expect(r.status).toBe(429);
    // Every folder of stored images belongs to an accepted generation: none was left by the refusals.
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.join(s.config.dataDir, 'blobs', 'generations');
    const folders = fs.existsSync(root) ? fs.readdirSync(root).sort() : [];
    const rows = await s.ctx.db.selectFrom('generations').select('id').orderBy('id').execute();
    expect(folders).toEqual(rows.map((r) => r.id));
  });
});

forEachDatabase('generations: failures give the unit back', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind, { env: { ...FAST_JOBS, GENERATION_MAX_ATTEMPTS: '2' } });
  });
  afterAll(() => s.close());

  it('an image the provider cannot read fails with a readable error, a generation.failed event, and its unit returned', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'free_starter' });
    await setUsed(s, u.developer.userId, 99);
    // PNG by its first bytes, garbage after them: accepted, then undecodable.
    const broken = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('not really a png at all'),
    ]);
    const r = await postGeneration(s.url, u.headers, { images: [broken], instructions: 'will fail' });
    expect(r.status).toBe(200);
    expect(await usedOf(s, u.developer.userId)).toBe(100);
    const end = await waitForEnd(s.url, `/api/v1/generation/generations-v2/${r.body.id}/status`, u.headers);
    expect(end.body).toEqual({
      id: r.body.id,
      status: 'failed',
      generated_image_url: null,
      error: 'local provider: an example image could not be decoded',
    });
    expect(await usedOf(s, u.developer.userId)).toBe(99);
    const events = await s.ctx.db
      .selectFrom('events')
      .select(['type', 'payload'])
      .where('owner_id', '=', u.developer.userId)
      .where('type', 'like', 'generation.%')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['generation.failed']);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({
      id: r.body.id,
      error: 'local provider: an example image could not be decoded',
    });
    // And the unit is usable again.
    const again = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'fits again' });
    expect(again.status).toBe(200);
    await waitForEnd(s.url, `/api/v1/generation/generations-v2/${again.body.id}/status`, u.headers);
    // Project and global statistics count generations by status.
    const dev = u.developer.headers;
    const project = await send(s.url, 'GET', `/api/v1/projects/${u.projectId}/stats`, { headers: dev });
    expect(project.body.generations).toEqual({ total: 2, pending: 0, processing: 0, completed: 1, failed: 1 });
    const global = await send(s.url, 'GET', '/api/v1/projects/stats', { headers: dev });
    expect(global.body.generations).toEqual({ total: 2, pending: 0, processing: 0, completed: 1, failed: 1 });
  });
});

forEachDatabase('generations: anonymous', (kind) => {
  let s: TestServer;
  let u: SeededEndUser;
  beforeAll(async () => {
    s = await startServer(kind, { env: { ...FAST_JOBS, ANONYMOUS_GENERATIONS_PER_DAY: '3' } });
    u = await seedProjectUser(s.ctx, { tier: 'free_starter' });
  });
  afterAll(() => s.close());

  it('the v2 route and both Starter Kit aliases share the per-IP day budget; each answers with CORS; the 4th is 429 with Retry-After', async () => {
    const paths = [
      '/api/v1/generation/generate-anonymous-v2',
      '/api/v1/generation/generate-anonymous',
      '/generation/generate-anonymous',
    ];
    const statusPaths = [
      '/api/v1/generation/anonymous-generations-v2',
      '/api/v1/generation/anonymous-generations',
      '/generation/anonymous-generations',
    ];
    for (const [i, p] of paths.entries()) {
      const r = await postGeneration(
        s.url,
        { origin: 'http://kit.example' },
        { images: [await image('jpeg', i)], instructions: 'a lighthouse at dusk' },
        p,
      );
      expect(r.status, p).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.body).toMatchObject({
        status: 'pending',
        message: 'Generation request submitted successfully',
        is_public: false,
      });
      const end = await waitForEnd(s.url, `${statusPaths[i]}/${r.body.id}/status`);
      expect(end.body.status).toBe('completed');
      expect(end.headers.get('access-control-allow-origin')).toBe('*');
      const img = await fetch(end.body.generated_image_url);
      expect(img.status).toBe(200);
      expect(img.headers.get('access-control-allow-origin')).toBe('*');
    }
    const over = await postGeneration(s.url, {}, { images: [await image()], instructions: 'one more' }, paths[0]);
    expect(over.status).toBe(429);
    expect(over.body.detail).toBe(QUOTA_DETAIL);
    expect(over.headers.get('retry-after')).toBe(String(over.body.retry_after));
    expect(over.headers.get('access-control-allow-origin')).toBe('*');
    const pre = await fetch(s.url + paths[2], {
      method: 'OPTIONS',
      headers: { origin: 'http://kit.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('with X-Project-ID it belongs to that project and counts against its developer’s month; an unknown project is 404', async () => {
    const before = await usedOf(s, u.developer.userId);
    const other = await startServer(kind, {
      env: { ...FAST_JOBS, ANONYMOUS_GENERATIONS_PER_DAY: '3' },
      databaseUrl: undefined,
    });
    try {
      // A fresh server: a fresh anonymous budget for this test's IP.
      const v = await seedProjectUser(other.ctx, { tier: 'free_starter' });
      const r = await postGeneration(
        other.url,
        { 'x-project-id': v.projectId },
        { images: [await image()], instructions: 'for a project' },
        '/api/v1/generation/generate-anonymous-v2',
      );
      expect(r.status).toBe(200);
      const row = await other.ctx.db
        .selectFrom('generations')
        .select(['project_id', 'owner_id', 'user_id'])
        .where('id', '=', r.body.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ project_id: v.projectId, owner_id: v.developer.userId, user_id: null });
      expect(await usedOf(other, v.developer.userId)).toBe(1);
      const unknown = await postGeneration(
        other.url,
        { 'x-project-id': '00000000-0000-7000-8000-000000000000' },
        { images: [await image()], instructions: 'x' },
        '/api/v1/generation/generate-anonymous-v2',
      );
      expect(unknown.status).toBe(404);
    } finally {
      await other.close();
    }
    expect(await usedOf(s, u.developer.userId)).toBe(before);
  });
});

describe('generations: anonymous generation turned off', () => {
  it('ANONYMOUS_GENERATIONS_PER_DAY=0: the anonymous routes answer 403; end users still generate', async () => {
    const s = await startServer('sqlite', { env: { ...FAST_JOBS, ANONYMOUS_GENERATIONS_PER_DAY: '0' } });
    try {
      for (const p of [
        '/api/v1/generation/generate-anonymous-v2',
        '/api/v1/generation/generate-anonymous',
        '/generation/generate-anonymous',
      ]) {
        const r = await postGeneration(s.url, {}, { images: [await image()], instructions: 'x' }, p);
        expect(r.status).toBe(403);
        expect(r.body).toEqual({ detail: 'Anonymous generation is disabled on this server' });
      }
      const u = await seedProjectUser(s.ctx);
      expect((await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'x' })).status).toBe(200);
      const st = await send(
        s.url,
        'GET',
        '/api/v1/generation/anonymous-generations-v2/00000000-0000-7000-8000-000000000000/status',
      );
      expect(st.status).toBe(404);
    } finally {
      await s.close();
    }
  });
});
