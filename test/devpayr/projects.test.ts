import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY_PREFIX, newSecretKey } from '../../src/core/keys/secret-key.js';
import { uuidv7 } from '../../src/lib/ids.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';

/** A project API key (a devpayr project-scoped key) for one project, inserted as the register flow does. */
async function projectKey(s: TestServer, dev: SeededDeveloper, projectId: string): Promise<string> {
  const k = newSecretKey(API_KEY_PREFIX);
  await s.ctx.db
    .insertInto('api_keys')
    .values({
      id: uuidv7(),
      kind: 'project',
      user_id: dev.userId,
      project_id: projectId,
      name: 'p',
      key_hash: k.hash,
      key_prefix: k.prefix,
      is_active: true,
      created_at: new Date(),
    })
    .execute();
  return k.key;
}

forEachDatabase('devpayr projects', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  it('creates, shows, lists, updates and deletes in the envelope', async () => {
    const dev = await seedDeveloper(s.ctx);
    // A field the spec does not list is refused by name, not silently dropped.
    const extra = await s.request('POST', '/api/v1/project', {
      headers: dev.apiKeyHeaders,
      body: { name: 'Desktop App', is_active: false },
    });
    expect(extra.status).toBe(422);
    expect(extra.body).toMatchObject({
      status: 'error',
      message: 'The is active field is not allowed.',
      errors: { is_active: ['The is active field is not allowed.'] },
    });
    const created = await s.request('POST', '/api/v1/project?include=injectables&action=check_project', {
      headers: { 'X-Api-Key': dev.developerKey },
      body: { name: 'Desktop App', meta: '{"tier":"gold"}', webhook_secret: 'whsec-123456', has_paid: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'success',
      errors: null,
      data: { name: 'Desktop App', slug: 'desktop-app', meta: { tier: 'gold' }, has_paid: true, is_active: true },
    });
    expect(created.text).not.toContain('whsec');
    const id = created.body.data.id;

    const shown = await s.request('GET', `/api/v1/project/${id}`, { headers: dev.apiKeyHeaders });
    expect(shown.body.data.id).toBe(id);

    const list = await s.request('GET', '/api/v1/projects?per_page=1', { headers: dev.apiKeyHeaders });
    expect(list.body.data).toMatchObject({ data: [{ id }], next_cursor: null });

    const patched = await s.request('PATCH', `/api/v1/project/${id}`, {
      headers: dev.apiKeyHeaders,
      body: { has_paid: false },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ name: 'Desktop App', has_paid: false });
    const paidEvents = await s.ctx.db
      .selectFrom('events')
      .select('type')
      .where('project_id', '=', id)
      .where('type', '=', 'project.unpaid')
      .execute();
    expect(paidEvents).toHaveLength(1);

    // The same project on the devkit face.
    const devkit = await s.request('GET', `/api/v1/projects/${id}`, { headers: dev.headers });
    expect(devkit.body).toMatchObject({ id, name: 'Desktop App', owner_id: dev.userId });

    const deleted = await s.request('DELETE', `/api/v1/project/${id}`, { headers: dev.apiKeyHeaders });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ status: 'success', data: null });
    expect((await s.request('GET', `/api/v1/project/${id}`, { headers: dev.apiKeyHeaders })).status).toBe(404);
  });

  it('answers the documented errors', async () => {
    const dev = await seedDeveloper(s.ctx);
    const other = await seedDeveloper(s.ctx);
    expect((await s.request('GET', '/api/v1/projects')).body).toEqual({
      status: 'error',
      message: 'Missing required X-API-KEY header.',
      data: null,
      errors: null,
    });
    expect((await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': 'ak_nope_nope_nope' } })).status).toBe(
      403,
    );

    const a = await s.request('POST', '/api/v1/project', {
      headers: dev.apiKeyHeaders,
      body: { name: 'Alpha', slug: 'alpha-slug' },
    });
    expect(a.status).toBe(201);
    const taken = await s.request('POST', '/api/v1/project', {
      headers: other.apiKeyHeaders,
      body: { name: 'Beta', slug: 'alpha-slug' },
    });
    expect(taken.status).toBe(422);
    expect(taken.body.errors).toEqual({ slug: ['The slug has already been taken.'] });
    const bad = await s.request('POST', '/api/v1/project', {
      headers: dev.apiKeyHeaders,
      body: { slug: 'not a slug!', meta: '[1]', logo_url: 'nope', has_paid: 'yes' },
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['has_paid', 'meta']);
    const bad3 = await s.request('POST', '/api/v1/project', {
      headers: dev.apiKeyHeaders,
      body: { slug: 'not a slug!', logo_url: 'nope' },
    });
    expect(Object.keys(bad3.body.errors).sort()).toEqual(['logo_url', 'name', 'slug']);

    // Another developer's project is not found; a project-scoped key elsewhere is refused.
    expect((await s.request('GET', `/api/v1/project/${a.body.data.id}`, { headers: other.apiKeyHeaders })).status).toBe(
      404,
    );
    expect(
      (await s.request('DELETE', `/api/v1/project/${a.body.data.id}`, { headers: other.apiKeyHeaders })).status,
    ).toBe(404);
    const b = await s.request('POST', '/api/v1/project', { headers: dev.apiKeyHeaders, body: { name: 'Beta' } });
    const scoped = await projectKey(s, dev, b.body.data.id);
    expect(
      (await s.request('GET', `/api/v1/project/${a.body.data.id}`, { headers: { 'x-api-key': scoped } })).status,
    ).toBe(403);
    expect(
      (await s.request('POST', '/api/v1/project', { headers: { 'x-api-key': scoped }, body: { name: 'Gamma' } }))
        .status,
    ).toBe(403);
    const scopedList = await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': scoped } });
    expect(scopedList.body.data.data.map((p: { id: string }) => p.id)).toEqual([b.body.data.id]);
  });

  it('checks the plan limit before validation and never half-writes', async () => {
    const dev = await seedDeveloper(s.ctx);
    for (let i = 0; i < 5; i++)
      expect(
        (await s.request('POST', '/api/v1/project', { headers: dev.apiKeyHeaders, body: { name: `P${i}` } })).status,
      ).toBe(201);
    const over = await s.request('POST', '/api/v1/project', { headers: dev.apiKeyHeaders, body: { slug: '!!' } });
    expect(over.status).toBe(403);
    expect(over.body.status).toBe('error');
    for (const raw of ['{"name":', '\xff\xfe', '[]', '']) {
      const r = await s.request('POST', '/api/v1/project', {
        headers: { ...dev.apiKeyHeaders, 'content-type': 'application/json' },
        rawBody: Buffer.from(raw, 'latin1'),
      });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.status).toBe('error');
    }
    const { n } = await s.ctx.db
      .selectFrom('projects')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', dev.userId)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(5);
  });
});
