import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { ROUTES } from '../support/routes.js';
import { seedDeveloper } from '../support/seed.js';

/**
 * The request path every route shares (src/http/pipeline.ts): unknown paths are answered in the
 * format of the face their path belongs to, whatever headers they carry; the OpenAPI document
 * shows every route's credential and its error answers.
 */
forEachDatabase('the request pipeline', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s.close());

  it('answers an unknown path by the face of its path, not by the headers it carries', async () => {
    const devkit = await s.request('GET', '/api/v1/no-such-thing', {
      headers: { 'x-api-key': 'ak_whatever', 'x-license-key': 'x' },
    });
    expect(devkit.status).toBe(404);
    expect(devkit.body).toEqual({ detail: 'Not Found' });
    const devpayr = await s.request('GET', '/api/v1/project/abc/no-such-thing');
    expect(devpayr.status).toBe(404);
    expect(devpayr.body).toEqual({ status: 'error', message: 'Route not found.', data: null, errors: null });
    expect((await s.request('POST', '/api/v1/injectable/nothing')).body.status).toBe('error');
    expect((await s.request('GET', '/api/v1/projects')).body.status).toBe('error'); // devpayr's list: no key
    expect((await s.request('GET', '/api/v1/projects/')).body).toHaveProperty('detail'); // devkit's list: no token
  });

  it('hands the handler the principal its credential resolved, and counts the rate limit after it', async () => {
    const dev = await seedDeveloper(s.ctx);
    const me = await s.request('GET', '/api/v1/auth/me', { headers: { authorization: dev.headers.authorization! } });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(dev.userId);
    const list = await s.request('GET', '/api/v1/projects/', { headers: dev.headers });
    expect(list.status).toBe(200);
    expect(Number(list.headers.get('x-ratelimit-limit'))).toBe(1000);
    expect(Number(list.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    // A refused caller is not counted against anyone and gets no rate headers.
    const refused = await s.request('GET', '/api/v1/projects/', {
      headers: { ...dev.headers, 'x-developer-key': 'ak_nope_nope' },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

it("documents every protected route with its credential and its face's error answers", async () => {
  const s = await startServer('sqlite');
  try {
    const doc = (await s.request('GET', '/docs/json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            security?: unknown[];
            responses: Record<
              string,
              { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }
            >;
          }
        >
      >;
    };
    for (const route of ROUTES) {
      const op = doc.paths[route.path.replace(/:([a-z_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!.security?.length, `${route.method} ${route.path} security`).toBeGreaterThan(0);
      for (const code of ['401', '403', '404', '422']) {
        const schema = op!.responses[code]?.content?.['application/json']?.schema;
        expect(schema, `${route.method} ${route.path} documents ${code}`).toBeDefined();
        expect(Object.keys(schema!.properties ?? {}), `${route.method} ${route.path} ${code}`).toEqual(
          route.face === 'devpayr' ? ['status', 'message', 'data', 'errors'] : ['detail', 'retry_after', 'request_id'],
        );
      }
    }
  } finally {
    await s.close();
  }
});
