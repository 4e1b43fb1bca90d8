import { afterAll, beforeAll, expect, it } from 'vitest';
// @ts-expect-error: the shipped verifier is plain JavaScript
import { verifyAnswer } from '../../examples/verify-answer.mjs';
import { seedProject } from '../devpayr/runtime-fixtures.js';
import { sharedDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { askSigned, forEachDatabase } from './fixtures.js';

const SECRET = 'licensing-processes-secret-0123456789abcdef';

/**
 * Two servers on one database with one server secret, as behind a load balancer: they share
 * the instance key (made once, kept sealed in the database) and each project's key, so an
 * answer of one verifies against the JWKS the other publishes. A project that existed before
 * signing keys (a bare row) has its key on first use.
 */
forEachDatabase('licensing: several processes', (kind) => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const shared = await sharedDatabase(kind);
    drop = shared.drop;
    const env = { TOLLGATE_SECRET: SECRET, RATE_LIMIT: 'false' };
    a = await startServer(kind, { databaseUrl: shared.url, env });
    b = await startServer(kind, { databaseUrl: shared.url, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('one instance key for both, made once however many ask at once', async () => {
    const answers = await Promise.all([a, b, a, b].map((s) => s.request('GET', '/.well-known/tollgate/jwks.json')));
    for (const r of answers) expect(r.body).toEqual(answers[0]!.body);
    const rows = await a.ctx.db
      .selectFrom('instance_settings')
      .select('value')
      .where('name', '=', 'signing_key')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.value).not.toMatch(/PRIVATE KEY/);
  });

  it("a project without a key gets one on first use, and one server's signed answer verifies with the other's JWKS", async () => {
    const dev = await seedDeveloper(a.ctx);
    const project = await seedProject(a.ctx, dev.userId);
    expect(await a.ctx.db.selectFrom('signing_keys').select('kid').where('project_id', '=', project).execute()).toEqual(
      [],
    );
    const license = await a.request('POST', `/api/v1/project/${project}/licenses`, {
      headers: dev.apiKeyHeaders,
      body: { title: 'Shared' },
    });
    expect(license.status, license.text).toBe(201);
    // Signed by one, verified with the keys the other publishes, both ways.
    const signed = await askSigned(a, 'POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': license.body.data.uuid },
      body: {},
    });
    expect(signed.answer.status).toBe(200);
    const jwks = (await b.request('GET', `/.well-known/tollgate/${project}/jwks.json`)).body;
    expect(jwks.keys).toHaveLength(1);
    expect(verifyAnswer(signed.answer, signed.request, jwks, { nonce: signed.nonce, now: Date.now() }).kid).toBe(
      jwks.keys[0].kid,
    );
    const refused = await askSigned(b, 'POST', `/api/v1/project/has-paid?project_id=${project}`, {
      headers: { 'x-license-key': 'no-such-key' },
      body: {},
    });
    expect(refused.answer.status).toBe(403);
    const published = (await a.request('GET', `/.well-known/tollgate/${project}/jwks.json`)).body;
    expect(published).toEqual(jwks);
    expect(
      verifyAnswer(refused.answer, refused.request, published, { nonce: refused.nonce, now: Date.now() }).kid,
    ).toBe(jwks.keys[0].kid);
  });
});
