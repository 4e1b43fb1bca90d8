import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueTokens } from '../../src/core/accounts/issue-tokens.js';
import { deriveKey } from '../../src/lib/crypto.js';
import { startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';

/**
 * Tokens forged with the server's own key (derived from TOLLGATE_SECRET the way the server
 * derives it): a signature alone is not enough, every token must carry exp, iat, sub and its
 * type, be HS256, and be of the type the route wants.
 */
const SECRET = 'token-claims-test-secret-0123456789abcdef';

describe('access and refresh tokens must carry exp, iat, sub and type', () => {
  let s: TestServer;
  let dev: SeededDeveloper;
  const key = deriveKey(SECRET, 'jwt');
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    s = await startServer('sqlite', { env: { RATE_LIMIT: 'false', TOLLGATE_SECRET: SECRET } });
    dev = await seedDeveloper(s.ctx);
  });
  afterAll(async () => s?.close());

  const forge = (payload: JWTPayload, alg = 'HS256', secret: Uint8Array = key) =>
    new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(secret);
  const me = (token: string) => s.request('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } });
  const refresh = (refresh_token: string) => s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token } });
  const full = (): JWTPayload => ({ sub: dev.userId, type: 'access', iat: now(), exp: now() + 600 });

  it('derives the same key as the server, so a complete forged token is accepted (the control)', async () => {
    const r = await me(await forge(full()));
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(dev.userId);
  });

  it.each(['exp', 'iat', 'sub', 'type'] as const)('refuses an access token without %s', async (claim) => {
    const payload = full();
    delete payload[claim];
    const r = await me(await forge(payload));
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ detail: 'Could not validate credentials' });
  });

  it('refuses claims of the wrong kind', async () => {
    for (const bad of [
      { exp: String(now() + 600) },
      { iat: 'yesterday' },
      { sub: 42 },
      { sub: '' },
      { type: 'refresh' },
      { type: 'ACCESS' },
      { project_id: 7 },
      { exp: now() - 5 },
      { iat: now() + 3600 },
      // The sign-in generation: a positive integer when present, and the account's current one.
      { gen: '1' },
      { gen: 0 },
      { gen: -1 },
      { gen: 1.5 },
      { gen: 1 },
    ]) {
      const r = await me(await forge({ ...full(), ...bad } as JWTPayload));
      expect(r.status, JSON.stringify(bad)).toBe(401);
    }
  });

  it('refuses other algorithms, an unsigned token and another key', async () => {
    expect((await me(await forge(full(), 'HS512'))).status).toBe(401);
    expect((await me(await forge(full(), 'HS384'))).status).toBe(401);
    expect((await me(new UnsecuredJWT(full()).encode())).status).toBe(401);
    expect(
      (await me(await forge(full(), 'HS256', deriveKey('another-secret-0123456789abcdef-xyz', 'jwt')))).status,
    ).toBe(401);
    // The alg header rewritten to "none" on a real token, signature kept.
    const [, body, sig] = (await forge(full())).split('.');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect((await me(`${none}.${body}.${sig}`)).status).toBe(401);
  });

  it('refuses a refresh token without exp, iat or jti, and an access token where a refresh token belongs', async () => {
    const { refreshToken } = await issueTokens(s.ctx, { id: dev.userId, projectId: null, signInGeneration: 0 });
    const jti = JSON.parse(Buffer.from(refreshToken.split('.')[1]!, 'base64url').toString()).jti as string;
    const good: JWTPayload = { sub: dev.userId, type: 'refresh', jti, iat: now(), exp: now() + 600 };
    for (const claim of ['exp', 'iat', 'jti', 'sub', 'type'] as const) {
      const payload = { ...good };
      delete payload[claim];
      expect((await refresh(await forge(payload))).status, claim).toBe(401);
    }
    expect((await refresh(await forge(full()))).status).toBe(401);
    // The complete forged refresh token names a live row, so it works once: the checks above were the claims.
    expect((await refresh(await forge(good))).status).toBe(200);
  });
});
