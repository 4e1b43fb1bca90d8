import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import {
  eventually,
  FAST_JOBS,
  finishedGenerations,
  image,
  postGeneration,
  projectBlobKeys,
  queuedBlobDeletions,
  send,
  seedProjectUser,
  waitForEnd,
} from './fixtures.js';

/** Blob storage on an S3-compatible server (s3rver on loopback) through @aws-sdk/client-s3. */
forEachDatabase('generations: S3 storage', (kind) => {
  let s3: S3rver;
  let s: TestServer;
  let port = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-s3-'));
  /** The S3 server, on the same port and directory each time (so a restart is the same store back). */
  const runS3 = async () => {
    s3 = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'tollgate-images', configs: [] }],
    });
    port = ((await s3.run()) as AddressInfo).port;
  };

  beforeAll(async () => {
    await runS3();
    s = await startServer(kind, {
      env: {
        ...FAST_JOBS,
        S3_BUCKET: 'tollgate-images',
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
      },
    });
  });
  afterAll(async () => {
    await s.close();
    await s3.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const objects = () =>
    fs.existsSync(path.join(dir, 'tollgate-images'))
      ? fs
          .readdirSync(path.join(dir, 'tollgate-images'), { recursive: true })
          .map(String)
          .filter((f) => f.endsWith('._S3rver_object'))
      : [];

  it('examples and results are objects in the bucket, served by Tollgate, and deleted with the generation', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
    const r = await postGeneration(s.url, u.headers, {
      images: [await image('png', 1), await image('jpeg', 2)],
      instructions: 'into the bucket',
    });
    expect(r.status).toBe(200);
    const end = await waitForEnd(s.url, `/api/v1/generation/generations-v2/${r.body.id}/status`, u.headers);
    expect(end.body.error ?? 'none').toBe('none');
    expect(end.body).toMatchObject({ status: 'completed' });
    const img = await fetch(end.body.generated_image_url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect((await img.arrayBuffer()).byteLength).toBeGreaterThan(100);
    const ex = await fetch(r.body.example_images[1]);
    expect(ex.headers.get('content-type')).toBe('image/jpeg');
    expect(objects().filter((o) => o.includes(r.body.id)).length).toBeGreaterThanOrEqual(3);
    // Nothing on the local disk.
    expect(fs.existsSync(path.join(s.config.dataDir, 'blobs', 'generations'))).toBe(false);

    expect(
      (await send(s.url, 'DELETE', `/api/v1/generation/generations-v2/${r.body.id}`, { headers: u.headers })).status,
    ).toBe(200);
    expect(objects().filter((o) => o.includes(r.body.id))).toEqual([]);
  });

  it('deleting a project (either face) deletes its generations’ objects from the bucket, and only theirs', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
    const viaDevpayr = await seedProjectUser(s.ctx, { developer: u.developer, tier: 'cloud_premium' });
    const kept = await seedProjectUser(s.ctx, { developer: u.developer, tier: 'cloud_premium' });
    for (const p of [u, viaDevpayr, kept]) await finishedGenerations(s.url, p);
    const inBucket = (keys: string[]) => objects().filter((o) => keys.some((k) => o.includes(k.split('/')[1]!))).length;
    const keys = await projectBlobKeys(s.ctx, u.projectId);
    const devpayrKeys = await projectBlobKeys(s.ctx, viaDevpayr.projectId);
    const keptKeys = await projectBlobKeys(s.ctx, kept.projectId);
    expect([inBucket(keys), inBucket(devpayrKeys), inBucket(keptKeys)]).toEqual([6, 6, 6]);

    expect(
      (await send(s.url, 'DELETE', `/api/v1/projects/${u.projectId}`, { headers: u.developer.headers })).status,
    ).toBeLessThan(300);
    expect(
      (await send(s.url, 'DELETE', `/api/v1/project/${viaDevpayr.projectId}`, { headers: u.developer.apiKeyHeaders }))
        .status,
    ).toBeLessThan(300);
    await eventually(
      'the objects are deleted',
      async () => inBucket([...keys, ...devpayrKeys]) === 0 && (await queuedBlobDeletions(s.ctx)) === 0,
    );
    expect(inBucket(keptKeys)).toBe(6);
  });

  it('a project deleted while the bucket is unreachable: the deletion waits in the queue and happens once it is back', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
    await finishedGenerations(s.url, u);
    const keys = await projectBlobKeys(s.ctx, u.projectId);
    const inBucket = () => objects().filter((o) => keys.some((k) => o.includes(k.split('/')[1]!))).length;
    expect(inBucket()).toBe(6);

    await s3.close();
    expect(
      (await send(s.url, 'DELETE', `/api/v1/projects/${u.projectId}`, { headers: u.developer.headers })).status,
    ).toBeLessThan(300);
    // The cleanup tried, failed, and keeps the rows for a retry.
    await eventually('a failed attempt is recorded', async () => {
      const rows = await s.ctx.db.selectFrom('generation_blob_deletions').select('attempts').execute();
      return rows.length === 2 && rows.every((r) => Number(r.attempts) >= 1);
    });
    expect(inBucket()).toBe(6);

    await runS3();
    await eventually(
      'the objects are deleted after the store is back',
      async () => inBucket() === 0 && (await queuedBlobDeletions(s.ctx)) === 0,
    );
  });

  it('health/storage asks the bucket, and says so when it is unreachable', async () => {
    const ok = await send(s.url, 'GET', '/api/v1/health/storage');
    expect(ok.body).toMatchObject({ status: 'healthy', type: 's3', bucket: 'tollgate-images' });
    await s3.close();
    const down = await send(s.url, 'GET', '/api/v1/health/storage');
    expect(down.body).toMatchObject({ status: 'unhealthy', type: 's3', error: 'S3 bucket is not reachable' });
    expect(JSON.stringify(down.body)).not.toContain('127.0.0.1');
  });
});
