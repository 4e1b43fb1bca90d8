import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';

/**
 * CORS on both faces, with the preflights a browser sends (Origin, Access-Control-Request-
 * Method and -Headers): the runtime routes allow any origin with the spec's methods and
 * headers; the devkit face allows any origin, or only CORS_ORIGINS when set; the devpayr
 * management routes (a secret X-API-KEY, called from servers) allow none.
 */
async function preflight(url: string, path: string, origin: string, method: string, headers: string) {
  const res = await fetch(url + path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
  await res.arrayBuffer();
  return res;
}

const list = (v: string | null) => (v ?? '').split(',').map((s) => s.trim().toLowerCase());

describe('CORS, any origin (default)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite');
  });
  afterAll(async () => s.close());

  for (const path of ['/api/v1/project/has-paid', '/api/v1/injectable/stream']) {
    it(`runtime ${path}: a preflight is answered with the spec's methods and headers, for any origin`, async () => {
      const res = await preflight(
        s.url,
        path,
        'https://customer-site.example',
        'POST',
        'x-license-key, x-devpayr-domain, content-type',
      );
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(list(res.headers.get('access-control-allow-methods'))).toEqual(['get', 'post', 'options']);
      expect(list(res.headers.get('access-control-allow-headers'))).toEqual([
        'x-license-key',
        'x-devpayr-domain',
        'x-requested-with',
        'content-type',
        'accept',
      ]);
      expect(res.headers.get('access-control-max-age')).toBe('600');
    });
  }

  it('runtime: the answer itself allows the origin, through the fast lane and through the router alike', async () => {
    for (const path of ['/api/v1/project/has-paid', '/api/v1/project/has-paid?via=%72outer']) {
      const res = await fetch(s.url + path, {
        method: 'POST',
        headers: { origin: 'https://customer-site.example', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect((await res.json()).message).toMatch(/Missing license key/);
    }
  });

  it('devkit: a preflight from any origin is answered with the headers the devkit clients send', async () => {
    const res = await preflight(
      s.url,
      '/api/v1/projects/',
      'https://starter-kit.example',
      'POST',
      'authorization, x-user-role, x-developer-key, content-type',
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = list(res.headers.get('access-control-allow-headers'));
    for (const h of ['authorization', 'x-user-role', 'x-developer-key', 'x-project-id', 'x-api-key', 'content-type'])
      expect(allowed).toContain(h);
    expect(list(res.headers.get('access-control-allow-methods'))).toEqual(
      expect.arrayContaining(['get', 'post', 'put', 'patch', 'delete']),
    );
  });

  it('devkit: answers, errors included, allow the origin and expose the request id and rate-limit headers', async () => {
    const res = await fetch(`${s.url}/api/v1/auth/me`, { headers: { origin: 'https://starter-kit.example' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(list(res.headers.get('access-control-expose-headers'))).toEqual(
      expect.arrayContaining(['x-request-id', 'retry-after']),
    );
  });

  it('devpayr management routes allow no origin', async () => {
    const res = await preflight(
      s.url,
      '/api/v1/project/0190f0c2-1b2c-7d3e-8f40-123456789abc/licenses',
      'https://elsewhere.example',
      'POST',
      'x-api-key',
    );
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${s.url}/api/v1/projects`, { headers: { origin: 'https://elsewhere.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS, CORS_ORIGINS narrows the devkit face', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite', { env: { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com/' } });
  });
  afterAll(async () => s.close());

  it('a listed origin is allowed by name, with Vary: Origin', async () => {
    const res = await preflight(s.url, '/api/v1/auth/login', 'https://admin.example.com', 'POST', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(list(res.headers.get('vary'))).toContain('origin');
  });

  it('another origin is not allowed, on preflights and answers', async () => {
    const res = await preflight(s.url, '/api/v1/auth/login', 'https://evil.example', 'POST', 'content-type');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${s.url}/api/v1/auth/me`, { headers: { origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the runtime routes still allow any origin', async () => {
    const res = await preflight(s.url, '/api/v1/project/has-paid', 'https://evil.example', 'POST', 'x-license-key');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
