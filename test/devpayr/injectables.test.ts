import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INJECTABLE_MODES, INJECTABLE_TYPES } from '../../src/core/injectables/injectable.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { expectEnvelopeError, openDelivery, seedTenant, type Tenant } from './licenses-fixtures.js';

const SECRET = 'correct-horse-battery';

forEachDatabase('devpayr injectables', (kind) => {
  let s: TestServer;
  let t: Tenant;
  let key: Record<string, string>;
  const base = () => `/api/v1/project/${t.projectId}/injectables`;
  const create = (body: unknown, headers = key) =>
    s.request('POST', `/api/v1/project/${t.projectId}/injectables`, { headers, body });

  /** A multipart request straight through fetch: the harness speaks JSON. */
  async function multipart(
    method: string,
    path: string,
    fields: Record<string, string>,
    file?: { bytes: Buffer; name: string },
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (file) form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
    const res = await fetch(s.url + path, { method, headers: { accept: 'application/json', ...key }, body: form });
    return { status: res.status, body: (await res.json()) as any };
  }

  beforeAll(async () => {
    s = await startServer(kind);
    t = await seedTenant(s);
    key = t.dev.apiKeyHeaders;
  });
  afterAll(async () => s?.close());

  it('creates from JSON, seals content and secret at rest, and shows the spec delivery form', async () => {
    const content = '<script>window.paid = true;</script>';
    const res = await create({
      title: 'Paywall Banner',
      type: 'script',
      mode: 'inject',
      target_path: 'public/index.html',
      secret: SECRET,
      content,
      only_if_paid: true,
    });
    expect(res.status).toBe(201);
    const i = res.body.data;
    expect(i).toMatchObject({
      project_id: t.projectId,
      title: 'Paywall Banner',
      slug: 'paywall-banner',
      type: 'script',
      mode: 'inject',
      only_if_paid: true,
      is_active: true,
    });
    expect(i.content_hash).toBe(createHash('sha256').update(content).digest('hex'));
    expect(res.text).not.toContain(SECRET);
    expect(res.text).not.toContain('window.paid');

    const row = await s.ctx.db.selectFrom('injectables').selectAll().where('id', '=', i.id).executeTakeFirstOrThrow();
    expect(row.content_enc).not.toContain('window.paid');
    expect(row.secret_enc).not.toContain(SECRET);

    const shown = await s.request('GET', `${base()}/${i.id}`, { headers: key });
    expect(shown.status).toBe(200);
    const d = shown.body.data;
    expect(d).toMatchObject({
      slug: i.slug,
      name: i.slug,
      target_path: 'public/index.html',
      path: 'public/index.html',
      content_hash: i.content_hash,
    });
    expect(d.content).toBe(d.encrypted_content);
    expect(openDelivery(d.encrypted_content, d.signature, SECRET).toString('utf8')).toBe(content);
    expect(shown.text).not.toContain(SECRET);
    expect(shown.text).not.toContain('window.paid');
  });

  it('accepts every type and mode of the spec, and generates distinct slugs', async () => {
    for (const [n, type] of INJECTABLE_TYPES.entries()) {
      const mode = INJECTABLE_MODES[n % INJECTABLE_MODES.length]!;
      const res = await create({ type, mode, secret: SECRET, content: `${type} body` });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ type, mode, title: null });
    }
    const a = await create({ title: 'Same Name', type: 'css', mode: 'append', secret: SECRET, content: 'a{}' });
    const b = await create({ title: 'Same Name', type: 'css', mode: 'append', secret: SECRET, content: 'b{}' });
    expect(a.body.data.slug).toBe('same-name');
    expect(b.body.data.slug).toMatch(/^same-name-[a-z0-9]{6}$/);
  });

  it('uploads a file injectable over multipart and delivers its exact bytes', async () => {
    const bytes = randomBytes(256 * 1024);
    const res = await multipart(
      'POST',
      base(),
      {
        type: 'file',
        mode: 'write',
        target_path: 'bin/blob.dat',
        secret: SECRET,
        is_active: 'true',
        only_if_paid: '0',
      },
      { bytes, name: 'blob.dat' },
    );
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ type: 'file', mode: 'write', is_active: true, only_if_paid: false });
    expect(res.body.data.content_hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    const shown = await s.request('GET', `${base()}/${res.body.data.id}`, { headers: key });
    expect(openDelivery(shown.body.data.encrypted_content, shown.body.data.signature, SECRET).equals(bytes)).toBe(true);

    const replacement = randomBytes(1024);
    const updated = await multipart(
      'PUT',
      `${base()}/${res.body.data.id}`,
      { secret: 'another-secret-1' },
      { bytes: replacement, name: 'blob.dat' },
    );
    expect(updated.status).toBe(200);
    const again = await s.request('GET', `${base()}/${res.body.data.id}`, { headers: key });
    expect(
      openDelivery(again.body.data.encrypted_content, again.body.data.signature, 'another-secret-1').equals(
        replacement,
      ),
    ).toBe(true);
  });

  it('refuses an upload over 5 MB, an upload for a non-file type, and a multipart body without secret', async () => {
    const big = await multipart(
      'POST',
      base(),
      { type: 'file', mode: 'write', secret: SECRET },
      { bytes: Buffer.alloc(5 * 1024 * 1024 + 1), name: 'big.bin' },
    );
    expectEnvelopeError(big, 422, 'file');
    const wrongType = await multipart(
      'POST',
      base(),
      { type: 'html', mode: 'inject', secret: SECRET },
      { bytes: Buffer.from('<p>'), name: 'x.html' },
    );
    expectEnvelopeError(wrongType, 422, 'file');
    const noSecret = await multipart(
      'POST',
      base(),
      { type: 'file', mode: 'write' },
      { bytes: Buffer.from('x'), name: 'x' },
    );
    expectEnvelopeError(noSecret, 422, 'secret');
    const badFlag = await multipart(
      'POST',
      base(),
      { type: 'file', mode: 'write', secret: SECRET, is_active: 'maybe' },
      { bytes: Buffer.from('x'), name: 'x' },
    );
    expectEnvelopeError(badFlag, 422, 'is_active');
  });

  it('answers bad JSON input with 422 field errors', async () => {
    const good = { type: 'snippet', mode: 'inject', secret: SECRET, content: 'hello' };
    expectEnvelopeError(await create({ ...good, secret: undefined }), 422, 'secret', 'The secret field is required.');
    expectEnvelopeError(await create({ ...good, secret: 'short' }), 422, 'secret');
    expectEnvelopeError(await create({ ...good, type: 'binary' }), 422, 'type');
    expectEnvelopeError(await create({ ...good, mode: 'overwrite' }), 422, 'mode');
    expectEnvelopeError(await create({ ...good, type: undefined }), 422, 'type');
    expectEnvelopeError(await create({ ...good, content: undefined }), 422, 'content');
    expectEnvelopeError(await create({ ...good, slug: 'has spaces' }), 422, 'slug');
    expectEnvelopeError(await create({ ...good, only_if_paid: 'yes' }), 422, 'only_if_paid');
    await create({ ...good, slug: 'taken-slug' });
    expectEnvelopeError(await create({ ...good, slug: 'taken-slug' }), 422, 'slug', 'The slug has already been taken.');
    const huge = await s.request('POST', base(), {
      headers: key,
      body: { ...good, content: 'x'.repeat(5 * 1024 * 1024 + 10) },
    });
    expectEnvelopeError(huge, 422, 'content');
  });

  it('updates metadata without the secret, but requires the secret again when content changes', async () => {
    const i = (await create({ title: 'Docs', type: 'docs', mode: 'write', secret: SECRET, content: 'v1' })).body.data;
    const path = `${base()}/${i.id}`;
    const meta = await s.request('PUT', path, {
      headers: key,
      body: { is_active: false, target_path: 'docs/README.md', title: 'Docs v1' },
    });
    expect(meta.status).toBe(200);
    expect(meta.body.data).toMatchObject({
      is_active: false,
      target_path: 'docs/README.md',
      title: 'Docs v1',
      content_hash: i.content_hash,
    });
    expectEnvelopeError(
      await s.request('PUT', path, { headers: key, body: { content: 'v2' } }),
      422,
      'secret',
      /required when the content changes/,
    );
    const v2 = await s.request('PUT', path, { headers: key, body: { content: 'v2', secret: SECRET } });
    expect(v2.status).toBe(200);
    expect(v2.body.data.content_hash).toBe(createHash('sha256').update('v2').digest('hex'));
    expectEnvelopeError(await s.request('PUT', path, { headers: key, body: { mode: 'nope' } }), 422, 'mode');
    const shown = await s.request('GET', path, { headers: key });
    expect(openDelivery(shown.body.data.content, shown.body.data.signature, SECRET).toString()).toBe('v2');
  });

  it('lists without content, newest first, and deletes with 200', async () => {
    const t2 = await seedTenant(s);
    const h = t2.dev.apiKeyHeaders;
    const url = `/api/v1/project/${t2.projectId}/injectables`;
    for (const n of [1, 2, 3])
      await s.request('POST', url, {
        headers: h,
        body: { title: `Item ${n}`, type: 'json', mode: 'replace', secret: SECRET, content: `{"n":${n}}` },
      });
    // Ids are uuidv7 (creation order at millisecond grain), so the database's id order is "newest first".
    const expected = (
      await s.ctx.db
        .selectFrom('injectables')
        .select('id')
        .where('project_id', '=', t2.projectId)
        .orderBy('id', 'desc')
        .execute()
    ).map((r) => r.id);
    const page = await s.request('GET', `${url}?per_page=2&include=injectables`, { headers: h });
    expect(page.status).toBe(200);
    expect(page.body.data.data.map((x: { id: string }) => x.id)).toEqual(expected.slice(0, 2));
    for (const item of page.body.data.data) {
      expect(item).not.toHaveProperty('content');
      expect(item).not.toHaveProperty('encrypted_content');
    }
    expect(page.text).not.toContain('"n":');
    const rest = await s.request('GET', `${url}?per_page=2&cursor=${page.body.data.next_cursor}`, { headers: h });
    expect(rest.body.data.data.map((x: { id: string }) => x.id)).toEqual(expected.slice(2));
    expect(rest.body.data.next_cursor).toBeNull();

    const id = page.body.data.data[0].id;
    const del = await s.request('DELETE', `${url}/${id}`, { headers: h });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ status: 'success', data: null, errors: null });
    expectEnvelopeError(await s.request('GET', `${url}/${id}`, { headers: h }), 404);
  });

  it("never lets another developer's key or another project's key reach the project's injectables", async () => {
    const i = (
      await create({ title: 'Guarded', type: 'html', mode: 'inject', secret: SECRET, content: '<b>guarded</b>' })
    ).body.data;
    const other = await seedTenant(s);
    const cases: Array<[string, string, unknown]> = [
      ['GET', base(), undefined],
      ['POST', base(), { type: 'html', mode: 'inject', secret: SECRET, content: 'intruder' }],
      ['GET', `${base()}/${i.id}`, undefined],
      ['PUT', `${base()}/${i.id}`, { is_active: false }],
      ['DELETE', `${base()}/${i.id}`, undefined],
    ];
    for (const [method, path, body] of cases) {
      expectEnvelopeError(await s.request(method, path, { body }), 401);
      expectEnvelopeError(await s.request(method, path, { headers: { 'x-api-key': 'ak_bogus' }, body }), 403);
      const foreign = await s.request(method, path, { headers: other.dev.apiKeyHeaders, body });
      expectEnvelopeError(foreign, 404);
      expect(foreign.text).not.toContain('guarded');
      expectEnvelopeError(await s.request(method, path, { headers: { 'x-api-key': t.otherProjectKey }, body }), 403);
    }
    expectEnvelopeError(await s.request('POST', base()), 401);
    expectEnvelopeError(await s.request('PUT', `${base()}/${i.id}`, { body: { type: 'nope' } }), 401);
    expectEnvelopeError(
      await s.request('GET', `/api/v1/project/${t.otherProjectId}/injectables/${i.id}`, { headers: key }),
      404,
    );
    const still = await s.request('GET', `${base()}/${i.id}`, { headers: { 'x-api-key': t.projectKey } });
    expect(still.status).toBe(200);
    expect(still.body.data.is_active).toBe(true);
  });
});
