import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { FAST_JOBS, image, postGeneration, send, seedProjectUser, waitForEnd } from './fixtures.js';

/** Blob storage on an S3-compatible server (s3rver on loopback) through @aws-sdk/client-s3. */
forEachDatabase('generations: S3 storage', (kind) => {
  let s3: S3rver;
  let s: TestServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-s3-'));

  beforeAll(async () => {
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'tollgate-images', configs: [] }] });
    const addr = (await s3.run()) as AddressInfo;
    s = await startServer(kind, {
      env: {
        ...FAST_JOBS,
        S3_BUCKET: 'tollgate-images',
        S3_ENDPOINT: `http://127.0.0.1:${addr.port}`,
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

  const objects = () => (fs.existsSync(path.join(dir, 'tollgate-images')) ? fs.readdirSync(path.join(dir, 'tollgate-images'), { recursive: true }).map(String).filter((f) => f.endsWith('._S3rver_object')) : []);

  it('examples and results are objects in the bucket, served by Tollgate, and deleted with the generation', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
    const r = await postGeneration(s.url, u.headers, { images: [await image('png', 1), await image('jpeg', 2)], instructions: 'into the bucket' });
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

    expect((await send(s.url, 'DELETE', `/api/v1/generation/generations-v2/${r.body.id}`, { headers: u.headers })).status).toBe(200);
    expect(objects().filter((o) => o.includes(r.body.id))).toEqual([]);
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
