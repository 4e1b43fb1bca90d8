import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { FAST_JOBS, image, postGeneration, send, seedProjectUser, type SeededEndUser } from './fixtures.js';

forEachDatabase('generations: documented errors of create', (kind) => {
  let s: TestServer;
  let u: SeededEndUser;
  const count = async () =>
    Number(
      (
        await s.ctx.db
          .selectFrom('generations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const blobFiles = async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.join(s.config.dataDir, 'blobs');
    return fs.existsSync(root)
      ? fs.readdirSync(root, { recursive: true }).filter((f) => !fs.statSync(path.join(root, String(f))).isDirectory())
          .length
      : 0;
  };

  beforeAll(async () => {
    s = await startServer(kind, { env: { ...FAST_JOBS, GENERATION_CONCURRENCY: '0' } });
    u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
  });
  afterAll(() => s.close());

  const refusals: Array<[string, () => Promise<Parameters<typeof postGeneration>[2]>, number, unknown]> = [
    // No image sent under either name: both are named, the reference page's first (its documented answer), then the OpenAPI's.
    [
      'no images',
      async () => ({ images: [], instructions: 'x' }),
      422,
      {
        detail: [
          { loc: ['body', 'example_images'], msg: 'field required', type: 'value_error.missing' },
          { loc: ['body', 'files'], msg: 'field required', type: 'value_error.missing' },
        ],
      },
    ],
    // Otherwise the refusal names the field the images came in.
    [
      'six images',
      async () => ({ images: await Promise.all([1, 2, 3, 4, 5, 6].map((i) => image('png', i))), instructions: 'x' }),
      422,
      {
        detail: [
          { loc: ['body', 'files'], msg: 'Maximum 5 example images allowed', type: 'value_error.list.max_items' },
        ],
      },
    ],
    [
      'six example_images',
      async () => ({
        field: 'example_images' as const,
        images: await Promise.all([1, 2, 3, 4, 5, 6].map((i) => image('png', i))),
        instructions: 'x',
      }),
      422,
      {
        detail: [
          {
            loc: ['body', 'example_images'],
            msg: 'Maximum 5 example images allowed',
            type: 'value_error.list.max_items',
          },
        ],
      },
    ],
    [
      'a GIF declared as PNG',
      async () => ({
        images: [{ bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;'), type: 'image/png' }],
        instructions: 'x',
      }),
      422,
      {
        detail: [
          {
            loc: ['body', 'files'],
            msg: 'Invalid file format. Supported formats: JPEG, PNG, WebP',
            type: 'value_error.format',
          },
        ],
      },
    ],
    [
      'a GIF sent as example_images',
      async () => ({
        field: 'example_images' as const,
        images: [{ bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;'), type: 'image/png' }],
        instructions: 'x',
      }),
      422,
      {
        detail: [
          {
            loc: ['body', 'example_images'],
            msg: 'Invalid file format. Supported formats: JPEG, PNG, WebP',
            type: 'value_error.format',
          },
        ],
      },
    ],
    [
      'text declared as JPEG',
      async () => ({
        images: [await image(), { bytes: Buffer.from('hello world, not an image'), type: 'image/jpeg' }],
        instructions: 'x',
      }),
      422,
      {
        detail: [
          {
            loc: ['body', 'files'],
            msg: 'Invalid file format. Supported formats: JPEG, PNG, WebP',
            type: 'value_error.format',
          },
        ],
      },
    ],
    [
      'an empty file',
      async () => ({ images: [Buffer.alloc(0)], instructions: 'x' }),
      422,
      {
        detail: [
          {
            loc: ['body', 'files'],
            msg: 'Invalid file format. Supported formats: JPEG, PNG, WebP',
            type: 'value_error.format',
          },
        ],
      },
    ],
    [
      'invalid JSON instructions',
      async () => ({ images: [await image()], instructions: '{"prompt": ' }),
      422,
      { detail: [{ loc: ['body', 'instructions'], msg: 'Invalid JSON format', type: 'value_error.json' }] },
    ],
    [
      'JSON without prompt',
      async () => ({ images: [await image()], instructions: '{"style": "x"}' }),
      422,
      {
        detail: [
          {
            loc: ['body', 'instructions'],
            msg: 'Instructions must contain a "prompt" key',
            type: 'value_error.missing',
          },
        ],
      },
    ],
    [
      'instructions too long',
      async () => ({ images: [await image()], instructions: 'x'.repeat(1001) }),
      422,
      {
        detail: [
          {
            loc: ['body', 'instructions'],
            msg: 'Instructions must be between 1 and 1000 characters',
            type: 'value_error.any_str.length',
          },
        ],
      },
    ],
    [
      'empty instructions',
      async () => ({ images: [await image()], instructions: '' }),
      422,
      {
        detail: [
          {
            loc: ['body', 'instructions'],
            msg: 'Instructions must be between 1 and 1000 characters',
            type: 'value_error.any_str.length',
          },
        ],
      },
    ],
    [
      'no instructions',
      async () => ({ images: [await image()] }),
      422,
      { detail: [{ loc: ['body', 'instructions'], msg: 'field required', type: 'value_error.missing' }] },
    ],
    [
      'an unknown field',
      async () => ({ images: [await image()], instructions: 'x', extra: { colour: 'red' } }),
      422,
      { detail: [{ loc: ['body', 'colour'], msg: 'Unknown field "colour"', type: 'value_error.extra' }] },
    ],
  ];

  for (const [name, body, status, answer] of refusals) {
    it(`${name}: ${status}, nothing written, nothing stored`, async () => {
      const before = await count();
      const r = await postGeneration(s.url, u.headers, await body());
      expect(r.status).toBe(status);
      expect(r.body).toEqual(answer);
      expect(await count()).toBe(before);
      expect(await blobFiles()).toBe(0);
    });
  }

  it('an image over 10 MB: 413 with the documented message; nothing stored', async () => {
    const png = await image();
    const big = Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024 + 1 - png.length)]);
    const r = await postGeneration(s.url, u.headers, { images: [await image(), big], instructions: 'x' });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ detail: 'File size exceeds maximum allowed size of 10MB' });
    expect(await blobFiles()).toBe(0);
    // Well over the limit (past the parser's own cut-off too): the same documented answer.
    for (const size of [11 * 1024 * 1024, 20 * 1024 * 1024]) {
      const over = await postGeneration(s.url, u.headers, {
        images: [Buffer.concat([png, Buffer.alloc(size - png.length)])],
        instructions: 'x',
      });
      expect(over.status, `${size} bytes`).toBe(413);
      expect(over.body, `${size} bytes`).toEqual({ detail: 'File size exceeds maximum allowed size of 10MB' });
    }
    expect(await blobFiles()).toBe(0);
    // Exactly 10 MB is fine.
    const ok = await postGeneration(s.url, u.headers, {
      images: [Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024 - png.length)])],
      instructions: 'x',
    });
    expect(ok.status).toBe(200);
  });

  it('a JSON body instead of multipart is a 422 naming the images by both names', async () => {
    const r = await send(s.url, 'POST', '/api/v1/generation/generate-v2', {
      headers: { ...u.headers, 'content-type': 'application/json' },
      body: '{"instructions": "x"}',
    });
    expect(r.status).toBe(422);
    expect(r.body.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual([
      ['body', 'example_images'],
      ['body', 'files'],
    ]);
  });

  it('a multipart body that breaks off mid-file is a 422, not a 500 or a hang', async () => {
    const stored = await blobFiles();
    const r = await send(s.url, 'POST', '/api/v1/generation/generate-v2', {
      headers: { ...u.headers, 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n\r\nabc',
    });
    expect(r.status).toBe(422);
    expect(r.body.detail[0].msg).toMatch(/^The multipart body is malformed/);
    expect(await blobFiles()).toBe(stored);
  });

  it('the end-user headers are all required: 401 without a token, 403 without the role or a key of the project', async () => {
    const body = { images: [await image()], instructions: 'x' };
    const without = (h: string) => Object.fromEntries(Object.entries(u.headers).filter(([k]) => k !== h));
    expect((await postGeneration(s.url, without('authorization'), body)).status).toBe(401);
    for (const h of ['x-user-role', 'x-developer-key', 'x-project-id', 'x-api-key']) {
      expect((await postGeneration(s.url, without(h), body)).status, h).toBe(403);
    }
    expect((await postGeneration(s.url, { ...u.headers, 'x-user-role': 'developer' }, body)).status).toBe(403);
    // The developer's own token is not an end user's.
    expect(
      (await postGeneration(s.url, { ...u.headers, authorization: `Bearer ${u.developer.token}` }, body)).status,
    ).toBe(403);
  });
});
