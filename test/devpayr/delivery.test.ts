import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { openDelivered, seedInjectable, seedLicense, seedProject } from './runtime-fixtures.js';

const SECRET = 'delivery-secret-123';
const CONTENT = 'window.__paid = true; // ünïcødé ✓';

forEachDatabase('injectable delivery form', (kind) => {
  let s: TestServer;
  let paidKey: string;
  let unpaidKey: string;

  beforeAll(async () => {
    s = await startServer(kind);
    const owner = (await seedDeveloper(s.ctx)).userId;
    const paid = await seedProject(s.ctx, owner, { hasPaid: true });
    const unpaid = await seedProject(s.ctx, owner, { hasPaid: false });
    for (const project of [paid, unpaid]) {
      await seedInjectable(s.ctx, project, {
        slug: 'paid-only',
        content: CONTENT,
        secret: SECRET,
        onlyIfPaid: true,
        targetPath: 'public/app.js',
      });
      await seedInjectable(s.ctx, project, {
        slug: 'always',
        content: 'free',
        secret: 'another-secret',
        onlyIfPaid: false,
      });
      await seedInjectable(s.ctx, project, { slug: 'switched-off', content: 'x', secret: SECRET, isActive: false });
    }
    paidKey = (await seedLicense(s.ctx, paid)).key;
    unpaidKey = (await seedLicense(s.ctx, unpaid)).key;
  });
  afterAll(async () => s.close());

  it('has-paid with include=injectables delivers items that decrypt and verify as clients do', async () => {
    const res = await s.request('POST', '/api/v1/project/has-paid?include=injectables&action=check_project', {
      body: {},
      headers: { 'x-license-key': paidKey, 'x-devpayr-domain': 'shop.example.com' },
    });
    expect(res.status).toBe(200);
    const items = res.body.data.injectables as any[];
    expect(items.map((i) => i.slug).sort()).toEqual(['always', 'paid-only']);
    const item = items.find((i) => i.slug === 'paid-only');
    expect(item).toMatchObject({
      name: 'paid-only',
      target_path: 'public/app.js',
      path: 'public/app.js',
      type: 'script',
      mode: 'inject',
    });
    expect(item.content).toBe(item.encrypted_content);
    expect(item.content_hash).toBe(sha256Hex(CONTENT));
    const { plaintext, iv } = openDelivered(item.encrypted_content, item.signature, SECRET);
    expect(plaintext).toBe(CONTENT);
    expect(iv).toHaveLength(16);
    expect(iv.toString('latin1')).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(() => openDelivered(item.encrypted_content, item.signature, 'wrong-secret')).toThrow();
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
  });

  it('each delivery uses a fresh IV', async () => {
    const get = async () =>
      (
        await s.request('GET', '/api/v1/injectable/stream', { headers: { 'x-license-key': paidKey } })
      ).body.data.injectables.find((i: any) => i.slug === 'always');
    const [a, b] = [await get(), await get()];
    expect(a.encrypted_content).not.toBe(b.encrypted_content);
    expect(openDelivered(a.content, a.signature, 'another-secret').plaintext).toBe('free');
    expect(openDelivered(b.content, b.signature, 'another-secret').plaintext).toBe('free');
  });

  it('the stream (GET and POST) respects only_if_paid for an unpaid project', async () => {
    const post = await s.request('POST', '/api/v1/injectable/stream', {
      body: { license: unpaidKey, projectId: null },
    });
    expect(post.status).toBe(200);
    expect(post.body.data.has_paid).toBe(false);
    expect(post.body.data.injectables.map((i: any) => i.slug)).toEqual(['always']);
    const get = await s.request('GET', `/api/v1/injectable/stream?license=${paidKey}`);
    expect(get.body.data.injectables.map((i: any) => i.slug).sort()).toEqual(['always', 'paid-only']);
  });

  it('the stream refuses without a usable license and answers CORS preflights', async () => {
    expect((await s.request('POST', '/api/v1/injectable/stream', { body: {} })).status).toBe(401);
    const bad = await s.request('POST', '/api/v1/injectable/stream', { body: { license: 'nope' } });
    expect(bad.status).toBe(403);
    expect(bad.body.message).toBe('Invalid license key.');
    const pre = await s.request('OPTIONS', '/api/v1/injectable/stream', {
      headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });
});
