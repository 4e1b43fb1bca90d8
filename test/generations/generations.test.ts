import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { FAST_JOBS, image, postGeneration, send, seedProjectUser, waitForEnd, type SeededEndUser } from './fixtures.js';

forEachDatabase('generations: end-user routes', (kind) => {
  let s: TestServer;
  let alice: SeededEndUser;
  let bob: SeededEndUser;
  let carol: SeededEndUser; // another project, another developer

  beforeAll(async () => {
    s = await startServer(kind, { env: FAST_JOBS });
    alice = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
    bob = await seedProjectUser(s.ctx, {
      developer: alice.developer,
      projectId: alice.projectId,
      projectKey: alice.projectKey,
      tier: 'cloud_premium',
    });
    carol = await seedProjectUser(s.ctx);
  });
  afterAll(() => s.close());

  it('creates from multipart files, answers the whole generation, and completes with an image served at its URL', async () => {
    const r = await postGeneration(s.url, alice.headers, {
      images: [await image('png', 1), await image('jpeg', 2)],
      instructions: '{"prompt": "a red fox", "style": "ink"}',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      message: 'Generation request submitted successfully',
      status: 'pending',
      is_public: false,
      generated_image_url: null,
      instructions: '{"prompt": "a red fox", "style": "ink"}',
    });
    expect(r.body.example_images).toHaveLength(2);
    expect(Object.keys(r.body).sort()).toEqual([
      'created_at',
      'example_images',
      'generated_image_url',
      'id',
      'instructions',
      'is_public',
      'message',
      'status',
      'updated_at',
    ]);

    const done = await waitForEnd(s.url, `/api/v1/generation/generations-v2/${r.body.id}/status`, alice.headers);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: r.body.id, status: 'completed' });
    expect(done.body.error).toBeUndefined();
    const img = await fetch(done.body.generated_image_url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect(meta.width).toBe(512); // two examples side by side

    const example = await fetch(r.body.example_images[1]);
    expect(example.status).toBe(200);
    expect(example.headers.get('content-type')).toBe('image/jpeg');

    const events = await s.ctx.db
      .selectFrom('events')
      .select(['type', 'payload', 'owner_id'])
      .where('type', 'like', 'generation.%')
      .execute();
    expect(events.filter((e) => JSON.parse(e.payload).id === r.body.id).map((e) => e.type)).toEqual([
      'generation.completed',
    ]);
  });

  it('takes example_images and plain-text instructions too, and the result is deterministic', async () => {
    const imgs = [await image('webp', 3)];
    const a = await postGeneration(s.url, alice.headers, {
      field: 'example_images',
      images: imgs,
      instructions: 'a quiet lake',
    });
    const b = await postGeneration(s.url, alice.headers, {
      field: 'example_images',
      images: imgs,
      instructions: 'a quiet lake',
    });
    expect([a.status, b.status]).toEqual([200, 200]);
    const [da, db] = await Promise.all(
      [a, b].map((x) => waitForEnd(s.url, `/api/v1/generation/generations-v2/${x.body.id}/status`, alice.headers)),
    );
    const [ia, ib] = await Promise.all(
      [da!, db!].map(async (d) => Buffer.from(await (await fetch(d.body.generated_image_url)).arrayBuffer())),
    );
    expect(ia!.equals(ib!)).toBe(true);
  });

  it('private images need their signed URL; a public generation has a stable one; a tampered signature is 404', async () => {
    const r = await postGeneration(s.url, alice.headers, { images: [await image()], instructions: 'signed' });
    const done = await waitForEnd(s.url, `/api/v1/generation/generations-v2/${r.body.id}/status`, alice.headers);
    const signed = new URL(done.body.generated_image_url);
    expect(signed.searchParams.get('sig')).toBeTruthy();
    expect((await fetch(`${signed.origin}${signed.pathname}`)).status).toBe(404);
    signed.searchParams.set('sig', '0'.repeat(64));
    expect((await fetch(signed)).status).toBe(404);
    signed.searchParams.set('expires', '1');
    expect((await fetch(signed)).status).toBe(404);

    const pub = await send(s.url, 'PATCH', `/api/v1/generation/generations-v2/${r.body.id}/public`, {
      headers: { ...alice.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'is_public=true',
    });
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ id: r.body.id, is_public: true });
    const after = await send(s.url, 'GET', `/api/v1/generation/generations-v2/${r.body.id}/status`, {
      headers: alice.headers,
    });
    expect(after.body.generated_image_url).not.toContain('sig=');
    expect((await fetch(after.body.generated_image_url)).status).toBe(200);

    const priv = await send(s.url, 'PATCH', `/api/v1/generation/generations-v2/${r.body.id}/public`, {
      headers: { ...alice.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ is_public: false }),
    });
    expect(priv.body.is_public).toBe(false);
    expect((await fetch(after.body.generated_image_url)).status).toBe(404);
  });

  it('lists only the caller’s own generations, newest first, paged', async () => {
    const mine = await send(s.url, 'GET', '/api/v1/generation/generations-v2?page=1&per_page=2', {
      headers: alice.headers,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.per_page).toBe(2);
    expect(mine.body.generations).toHaveLength(2);
    expect(mine.body.total).toBeGreaterThanOrEqual(4);
    expect(mine.body.generations[0].id > mine.body.generations[1].id).toBe(true);
    const theirs = await send(s.url, 'GET', '/api/v1/generation/generations-v2', { headers: bob.headers });
    expect(theirs.body).toEqual({ generations: [], total: 0, page: 1, per_page: 20 });
    expect(
      (await send(s.url, 'GET', '/api/v1/generation/generations-v2?per_page=101', { headers: alice.headers })).status,
    ).toBe(422);
    expect(
      (await send(s.url, 'GET', '/api/v1/generation/generations-v2?page=0', { headers: alice.headers })).status,
    ).toBe(422);
  });

  it('another end user, or another project, gets 404 for the same id (status, public, delete), and nothing changes', async () => {
    const r = await postGeneration(s.url, alice.headers, { images: [await image()], instructions: 'mine' });
    for (const who of [bob, carol]) {
      expect(
        (await send(s.url, 'GET', `/api/v1/generation/generations-v2/${r.body.id}/status`, { headers: who.headers }))
          .status,
      ).toBe(404);
      const p = await send(s.url, 'PATCH', `/api/v1/generation/generations-v2/${r.body.id}/public`, {
        headers: { ...who.headers, 'content-type': 'application/json' },
        body: '{"is_public": true}',
      });
      expect(p.status).toBe(404);
      expect(
        (await send(s.url, 'DELETE', `/api/v1/generation/generations-v2/${r.body.id}`, { headers: who.headers }))
          .status,
      ).toBe(404);
    }
    // Nor is an end user's generation visible on the anonymous status route.
    expect((await send(s.url, 'GET', `/api/v1/generation/anonymous-generations-v2/${r.body.id}/status`)).status).toBe(
      404,
    );
    const still = await send(s.url, 'GET', `/api/v1/generation/generations-v2/${r.body.id}/status`, {
      headers: alice.headers,
    });
    expect(still.status).toBe(200);
    const row = await s.ctx.db
      .selectFrom('generations')
      .select('is_public')
      .where('id', '=', r.body.id)
      .executeTakeFirstOrThrow();
    expect(Boolean(row.is_public)).toBe(false);
  });

  it('the public gallery shows public generations, of the named project only', async () => {
    const a = await postGeneration(s.url, alice.headers, { images: [await image()], instructions: 'gallery a' });
    const c = await postGeneration(s.url, carol.headers, { images: [await image()], instructions: 'gallery c' });
    for (const [g, who] of [
      [a, alice],
      [c, carol],
    ] as const) {
      const r = await send(s.url, 'PATCH', `/api/v1/generation/generations-v2/${g.body.id}/public`, {
        headers: { ...who.headers, 'content-type': 'application/json' },
        body: '{"is_public": true}',
      });
      expect(r.status).toBe(200);
    }
    const ofAlice = await send(s.url, 'GET', '/api/v1/generation/public-generations-v2?per_page=100', {
      headers: { 'x-project-id': alice.projectId },
    });
    expect(ofAlice.status).toBe(200);
    const ids = ofAlice.body.generations.map((g: { id: string }) => g.id);
    expect(ids).toContain(a.body.id);
    expect(ids).not.toContain(c.body.id);
    const all = await send(s.url, 'GET', '/api/v1/generation/public-generations-v2?per_page=100');
    expect(all.body.generations.map((g: { id: string }) => g.id)).toEqual(
      expect.arrayContaining([a.body.id, c.body.id]),
    );
    expect(all.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('delete removes the generation and its files', async () => {
    const r = await postGeneration(s.url, alice.headers, { images: [await image()], instructions: 'to delete' });
    const done = await waitForEnd(s.url, `/api/v1/generation/generations-v2/${r.body.id}/status`, alice.headers);
    const row = await s.ctx.db
      .selectFrom('generations')
      .selectAll()
      .where('id', '=', r.body.id)
      .executeTakeFirstOrThrow();
    const keys = [...JSON.parse(row.example_images).map((e: { key: string }) => e.key), row.result_key!];
    for (const k of keys) expect(await s.ctx.blobs.get(k)).not.toBeNull();
    const d = await send(s.url, 'DELETE', `/api/v1/generation/generations-v2/${r.body.id}`, { headers: alice.headers });
    expect(d.status).toBe(200);
    expect(d.body).toEqual({ message: 'Generation deleted successfully' });
    for (const k of keys) expect(await s.ctx.blobs.get(k)).toBeNull();
    expect((await fetch(done.body.generated_image_url)).status).toBe(404);
    expect(
      (await send(s.url, 'GET', `/api/v1/generation/generations-v2/${r.body.id}/status`, { headers: alice.headers }))
        .status,
    ).toBe(404);
  });

  it('health/storage reports the local store', async () => {
    const h = await send(s.url, 'GET', '/api/v1/health/storage');
    expect(h.body).toMatchObject({ status: 'healthy', type: 'local', writable: true });
  });
});

describe('generations: pending while the developer’s slots are full', () => {
  it('a Free Starter developer runs one at a time; the rest wait as pending, none refused', async () => {
    const s = await startServer('sqlite', { env: { ...FAST_JOBS } });
    try {
      const u = await seedProjectUser(s.ctx, { tier: 'free_starter' });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await postGeneration(s.url, u.headers, {
          images: [await image('png', i)],
          instructions: `slot ${i}`,
        });
        expect(r.status).toBe(200);
        ids.push(r.body.id);
      }
      let maxRunning = 0;
      const deadline = Date.now() + 20_000;
      for (;;) {
        const rows = await s.ctx.db
          .selectFrom('generations')
          .select('status')
          .where('owner_id', '=', u.developer.userId)
          .execute();
        maxRunning = Math.max(maxRunning, rows.filter((r) => r.status === 'processing').length);
        if (rows.every((r) => r.status === 'completed')) break;
        if (Date.now() > deadline) throw new Error('not all completed');
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(maxRunning).toBe(1);
    } finally {
      await s.close();
    }
  });
});
