import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';

forEachDatabase('devkit POST /api/v1/projects/', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  it('creates a project exactly as projects/create.mdx shows', async () => {
    const dev = await seedDeveloper(s.ctx);
    const res = await s.request('POST', '/api/v1/projects/', {
      headers: dev.headers,
      body: { name: 'My SaaS Application', description: 'AI-powered content generation' },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual([
      'created_at',
      'description',
      'id',
      'is_active',
      'name',
      'owner_id',
      'updated_at',
    ]);
    expect(res.body).toMatchObject({
      name: 'My SaaS Application',
      owner_id: dev.userId,
      is_active: true,
      updated_at: null,
    });
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('rejects a short name and a long description with FastAPI-style 422s', async () => {
    const dev = await seedDeveloper(s.ctx);
    const res = await s.request('POST', '/api/v1/projects/', {
      headers: dev.headers,
      body: { name: 'ab', description: 'x'.repeat(501) },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual(
      expect.arrayContaining([
        {
          loc: ['body', 'name'],
          msg: 'ensure this value has at least 3 characters',
          type: 'value_error.any_str.min_length',
        },
        {
          loc: ['body', 'description'],
          msg: 'ensure this value has at most 500 characters',
          type: 'value_error.any_str.max_length',
        },
      ]),
    );
  });

  it('holds the Free Starter limit of 5 under 50 parallel creates', async () => {
    const dev = await seedDeveloper(s.ctx);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: `Parallel ${i}` } }),
      ),
    );
    const created = results.filter((r) => r.status === 201).length;
    expect(created).toBe(5);
    const refused = results.filter((r) => r.status === 403);
    expect(refused).toHaveLength(45);
    expect(refused[0]!.body).toEqual({
      detail: 'Maximum number of projects reached for your subscription tier. Upgrade to create more projects.',
    });
    const { n } = await s.ctx.db
      .selectFrom('projects')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', dev.userId)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(5);
  });
});
