import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';

forEachDatabase('devkit auth rate limit', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  it('counts register, login, refresh and verification per client on the Free Starter auth rule (100 an hour)', async () => {
    const started = Math.floor(Date.now() / 1000);
    const first = await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x' } });
    expect(first.status).toBe(401);
    expect(first.headers.get('x-ratelimit-limit')).toBe('100');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('99');
    // The hour's window opens at the client's first request; Reset is its end as a Unix time.
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(started + 3599);
    expect(reset).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3601);

    // Every auth endpoint draws on the same budget, malformed requests included.
    const paths = [
      '/api/v1/auth/login',
      '/api/v1/auth/register',
      '/api/v1/auth/verify-email',
      '/api/v1/auth/request-verification',
      '/api/v1/auth/refresh',
    ];
    for (let i = 0; i < 99; i++) await s.request('POST', paths[i % paths.length]!, { body: {} });

    const limited = await s.request('POST', '/api/v1/auth/login', {
      body: { email: 'a@example.com', password: 'SecurePass123' },
    });
    expect(limited.status).toBe(429);
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(3000);
    expect(retry).toBeLessThanOrEqual(3600);
    expect(limited.body).toEqual({ detail: `Rate limit exceeded. Try again in ${retry} seconds.`, retry_after: retry });
    expect(limited.headers.get('x-ratelimit-limit')).toBe('100');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Math.abs(Number(limited.headers.get('x-ratelimit-reset')) - reset)).toBeLessThanOrEqual(1);
    // The same client stays refused on every auth endpoint until the window ends.
    expect((await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x' } })).status).toBe(429);
  });
});
