import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';

forEachDatabase('devkit auth rate limit', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
    // Halfway through an hour window, so the fixed window cannot roll over during the test.
    const HOUR = 3600_000;
    const halfway = new Date((Math.floor(Date.now() / HOUR) + 1) * HOUR + HOUR / 2);
    s.ctx.clock = { now: () => halfway };
  });
  afterAll(async () => s?.close());

  it('counts register, login, refresh and verification per client on the Free Starter auth rule (100 an hour)', async () => {
    const first = await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x' } });
    expect(first.status).toBe(401);
    expect(first.headers.get('x-ratelimit-limit')).toBe('100');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('99');
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset).toBe(s.ctx.clock.now().getTime() / 1000 + 1800);

    // Every auth endpoint draws on the same budget, malformed requests included.
    const paths = ['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/verify-email', '/api/v1/auth/request-verification', '/api/v1/auth/refresh'];
    for (let i = 0; i < 99; i++) await s.request('POST', paths[i % paths.length]!, { body: {} });

    const limited = await s.request('POST', '/api/v1/auth/login', { body: { email: 'a@example.com', password: 'SecurePass123' } });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ detail: 'Rate limit exceeded. Try again in 1800 seconds.', retry_after: 1800 });
    expect(limited.headers.get('retry-after')).toBe('1800');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('100');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe(String(reset));
    // The same client stays refused on every auth endpoint until the window ends.
    expect((await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x' } })).status).toBe(429);
  });
});
