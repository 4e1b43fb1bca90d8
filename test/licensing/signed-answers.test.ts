import { createPublicKey, verify } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { afterAll, beforeAll, expect, it } from 'vitest';
// @ts-expect-error: the shipped verifier is plain JavaScript, used here as a customer would use it
import { verifyAnswer } from '../../examples/verify-answer.mjs';
import {
  askSigned,
  forEachDatabase,
  startLicensingServer,
  type LicensingServer,
  type RawAnswer,
  type SentRequest,
} from './fixtures.js';

type Jwks = { keys: Array<Record<string, string>> };

/** The same answer checked by the http-message-signatures package, with the JWKS as its key store. */
async function verifiedByLibrary(answer: RawAnswer, request: SentRequest, jwks: Jwks): Promise<boolean | null> {
  const headers = Object.fromEntries(answer.headers.entries());
  return httpbis.verifyMessage(
    {
      keyLookup: async (params) => {
        const jwk = jwks.keys.find((k) => k.kid === params.keyid);
        if (!jwk) return null;
        const key = createPublicKey({ key: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x! }, format: 'jwk' });
        return {
          id: jwk.kid,
          algs: ['ed25519'],
          verify: async (data, signature) => verify(null, data, key, signature),
        };
      },
      requiredFields: ['@status', 'content-digest', '@method', '@path', '@query'],
      requiredParams: ['created', 'keyid', 'alg', 'nonce'],
      maxAge: 300,
    },
    { status: answer.status, headers },
    { method: request.method, url: request.url, headers: request.headers },
  );
}

/**
 * Issue 20, signed answers: a runtime request that sends Accept-Signature gets every answer
 * signed (passes, refusals, validation errors, 404s and 429s), with the project's key when
 * the answer concerns a known project and the instance's key otherwise; the answer verifies
 * with the shipped ≤ 40-line verifier and with http-message-signatures, and the verifier
 * refuses a changed body, another query, another nonce, an old signature and an unknown or
 * retired key. Requests without Accept-Signature are answered as before, unsigned.
 */
forEachDatabase('licensing: signed answers', (kind) => {
  let s: LicensingServer;
  let project: string;
  let license: { id: string; key: string };
  let jwks: Jwks;
  let instance: Jwks;
  beforeAll(async () => {
    s = await startLicensingServer(kind, { env: { LICENSE_CHECKOUTS_PER_DAY: '1' } });
    project = await s.project();
    license = await s.license(project);
    jwks = await s.jwks(project);
    instance = await s.jwks();
  });
  afterAll(async () => s?.close());

  const now = () => s.ctx.clock.now().getTime();
  const check = async (signed: Awaited<ReturnType<typeof askSigned>>, keys: Jwks) => {
    const result = verifyAnswer(signed.answer, signed.request, keys, { nonce: signed.nonce, now: now() });
    expect(await verifiedByLibrary(signed.answer, signed.request, keys)).toBe(true);
    return result as { kid: string; created: number };
  };

  it('a paid has-paid answer is signed with the project key and covers status, body, request and license key', async () => {
    const signed = await askSigned(s, 'POST', '/api/v1/project/has-paid?include=none', {
      headers: { 'x-license-key': license.key },
      body: {},
    });
    expect(signed.answer.status).toBe(200);
    expect(signed.answer.json.data).toMatchObject({ has_paid: true, project_id: project });
    const input = signed.answer.headers.get('signature-input')!;
    const created = Number(/;created=(\d+);/.exec(input)![1]);
    expect(Math.abs(created * 1000 - now())).toBeLessThan(60_000);
    expect(input).toBe(
      `sig1=("@status" "content-digest" "@method";req "@path";req "@query";req "x-license-key";req);created=${created};keyid="${jwks.keys[0]!.kid}";alg="ed25519";nonce="${signed.nonce}"`,
    );
    expect(signed.answer.headers.get('content-digest')).toMatch(/^sha-256=:[A-Za-z0-9+/]+=*:$/);
    expect(signed.answer.headers.get('signature')).toMatch(/^sig1=:[A-Za-z0-9+/]+=*:$/);
    expect((await check(signed, jwks)).kid).toBe(jwks.keys[0]!.kid);
    // Not with the instance's key.
    expect(() => verifyAnswer(signed.answer, signed.request, instance, { nonce: signed.nonce, now: now() })).toThrow(
      /unknown or retired/,
    );
  });

  it('the verifier refuses a flipped body byte, another query, another nonce, another license key, a 6-minute-old signature and an unknown kid', async () => {
    const signed = await askSigned(s, 'POST', '/api/v1/project/has-paid?action=check_project', {
      headers: { 'x-license-key': license.key },
      body: {},
    });
    const { answer, request, nonce } = signed;
    await check(signed, jwks);
    const flipped = Buffer.from(answer.body);
    flipped[10] ^= 0x01;
    const refuse = (a: RawAnswer, r: SentRequest, o: { nonce: string; now?: number }, keys = jwks, why?: RegExp) =>
      expect(() => verifyAnswer(a, r, keys, { now: now(), ...o })).toThrow(why);
    refuse({ ...answer, body: flipped }, request, { nonce }, jwks, /Content-Digest/);
    // A flipped body with a digest to match is caught by the signature.
    const digest = `sha-256=:${(await import('node:crypto')).createHash('sha256').update(flipped).digest('base64')}:`;
    const headers = new Headers(answer.headers);
    headers.set('content-digest', digest);
    refuse({ ...answer, headers, body: flipped }, request, { nonce }, jwks, /does not verify/);
    refuse(
      answer,
      { ...request, url: request.url.replace('check_project', 'check_domain') },
      { nonce },
      jwks,
      /does not verify/,
    );
    refuse(
      answer,
      { ...request, url: request.url.replace('has-paid', 'has-paid2') },
      { nonce },
      jwks,
      /does not verify/,
    );
    refuse(answer, request, { nonce: 'another-nonce' }, jwks, /nonce/);
    refuse(
      answer,
      { ...request, headers: { ...request.headers, 'x-license-key': 'another-key' } },
      { nonce },
      jwks,
      /does not verify/,
    );
    refuse(answer, request, { nonce, now: now() + 6 * 60_000 }, jwks, /too old/);
    refuse(answer, request, { nonce }, instance, /unknown or retired/);
    expect(
      await verifiedByLibrary(
        { ...answer, body: flipped },
        { ...request, url: request.url.replace('check_project', 'x') },
        jwks,
      ),
    ).toBe(false);
  });

  it('refusals are signed: 401 and an unknown key 403 with the instance key (the project key with project_id), a revoked license 403 with its project key', async () => {
    const missing = await askSigned(s, 'POST', '/api/v1/project/has-paid', { body: {} });
    expect(missing.answer.status).toBe(401);
    expect((await check(missing, instance)).kid).toBe(instance.keys[0]!.kid);

    const unknown = await askSigned(s, 'POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': 'no-such-key' },
      body: {},
    });
    expect(unknown.answer.status).toBe(403);
    expect((await check(unknown, instance)).kid).toBe(instance.keys[0]!.kid);
    const named = await askSigned(s, 'POST', `/api/v1/project/has-paid?project_id=${project}`, {
      headers: { 'x-license-key': 'no-such-key' },
      body: {},
    });
    expect(named.answer.status).toBe(403);
    expect((await check(named, jwks)).kid).toBe(jwks.keys[0]!.kid);

    const revoked = await s.license(project);
    await s.request('POST', `/api/v1/project/${project}/licenses/${revoked.id}/revoke`, {
      headers: s.dev.apiKeyHeaders,
    });
    const refused = await askSigned(s, 'POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': revoked.key },
      body: {},
    });
    expect(refused.answer.status).toBe(403);
    expect(refused.answer.json).toMatchObject({ status: 'error', message: 'This license has been revoked.' });
    expect((await check(refused, jwks)).kid).toBe(jwks.keys[0]!.kid);
  });

  it('a 429 (the daily usage limit) is signed and keeps its Retry-After; so is the injectable stream', async () => {
    const limited = await s.license(project, { max_usage_per_day: 1 });
    expect(
      (await askSigned(s, 'POST', '/api/v1/project/has-paid', { headers: { 'x-license-key': limited.key }, body: {} }))
        .answer.status,
    ).toBe(200);
    const over = await askSigned(s, 'POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': limited.key },
      body: {},
    });
    expect(over.answer.status).toBe(429);
    expect(Number(over.answer.headers.get('retry-after'))).toBeGreaterThan(0);
    await check(over, jwks);

    const stream = await askSigned(s, 'GET', '/api/v1/injectable/stream', {
      headers: { 'x-license-key': license.key },
    });
    expect(stream.answer.status).toBe(200);
    await check(stream, jwks);
  });

  it("license files: the checkout's 200, 422, 429 and the developer's 404 are signed", async () => {
    const own = await s.license(project);
    const ok = await askSigned(s, 'POST', '/api/v1/license/checkout', {
      headers: { 'x-license-key': own.key },
      body: { ttl: 3600 },
    });
    expect(ok.answer.status).toBe(200);
    await check(ok, jwks);
    const invalid = await askSigned(s, 'POST', '/api/v1/license/checkout', {
      headers: { 'x-license-key': own.key },
      body: { ttl: 5 },
    });
    expect(invalid.answer.status).toBe(422);
    await check(invalid, jwks);
    const limited = await askSigned(s, 'POST', '/api/v1/license/checkout', {
      headers: { 'x-license-key': own.key },
      body: {},
    });
    expect(limited.answer.status).toBe(429);
    expect(limited.answer.headers.get('retry-after')).toBeTruthy();
    await check(limited, jwks);
    const missing = await askSigned(
      s,
      'POST',
      `/api/v1/project/${project}/licenses/0190a1b2-0000-7000-8000-000000000000/checkout`,
      { headers: s.dev.apiKeyHeaders, body: {} },
    );
    expect(missing.answer.status).toBe(404);
    await check(missing, jwks);
  });

  it('a rotated-out key verifies until it retires, then is refused as the JWKS drops it', async () => {
    const other = await s.project();
    const otherLicense = await s.license(other);
    const before = await askSigned(s, 'POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': otherLicense.key },
      body: {},
    });
    const oldKid = (await check(before, await s.jwks(other))).kid;
    const rotated = await s.request('POST', `/api/v1/project/${other}/signing-keys/rotate`, {
      headers: s.dev.apiKeyHeaders,
      body: { grace_days: 1 },
    });
    expect(rotated.status).toBe(200);
    // Signed at once with the new key (this process forgot the old one).
    const after = await askSigned(s, 'POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': otherLicense.key },
      body: {},
    });
    expect((await check(after, await s.jwks(other))).kid).toBe(rotated.body.data[0].kid);
    // The old answer still verifies against the published set ...
    expect(
      verifyAnswer(before.answer, before.request, await s.jwks(other), {
        nonce: before.nonce,
        now: Number(/created=(\d+)/.exec(before.answer.headers.get('signature-input')!)![1]) * 1000,
      }).kid,
    ).toBe(oldKid);
    // ... until the key retires.
    s.later(86_400_000 + 1000);
    const retiredSet = await s.jwks(other);
    expect(retiredSet.keys.map((k) => k.kid)).not.toContain(oldKid);
    expect(() =>
      verifyAnswer(before.answer, before.request, retiredSet, { nonce: before.nonce, now: now() - 86_400_000 }),
    ).toThrow(/unknown or retired/);
  });

  it('a malformed Accept-Signature is a signed 400 (without a nonce); without Accept-Signature nothing is signed', async () => {
    const bad = await askSigned(s, 'POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': license.key },
      body: {},
      accept: 'not a dictionary((',
    });
    expect(bad.answer.status).toBe(400);
    expect(bad.answer.json).toMatchObject({ status: 'error', message: expect.stringContaining('Accept-Signature') });
    expect(bad.answer.headers.get('signature-input')).not.toContain('nonce');
    expect(verifyAnswer(bad.answer, bad.request, jwks, { nonce: undefined, now: now() }).kid).toBe(jwks.keys[0]!.kid);

    for (const path of ['/api/v1/project/has-paid', '/api/v1/license/checkout']) {
      const plain = await s.request('POST', path, { headers: { 'x-license-key': license.key }, body: {} });
      expect(plain.headers.get('signature')).toBeNull();
      expect(plain.headers.get('signature-input')).toBeNull();
      expect(plain.headers.get('content-digest')).toBeNull();
    }
    // Management routes are not signed even when asked.
    const listed = await askSigned(s, 'GET', `/api/v1/project/${project}/licenses`, { headers: s.dev.apiKeyHeaders });
    expect(listed.answer.status).toBe(200);
    expect(listed.answer.headers.get('signature')).toBeNull();
  });
});
