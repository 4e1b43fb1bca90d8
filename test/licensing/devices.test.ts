import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the shipped verifier is plain JavaScript, used here as a customer would use it
import { readLicenseFile } from '../../examples/verify-license-file.mjs';
import { releaseSilentDevices } from '../../src/core/devices/release-devices.js';
import { forEachDatabase, startLicensingServer, type LicensingServer } from './fixtures.js';

const DAY = 86_400_000;

/**
 * Issue 20, devices and seats: the license holder activates, heartbeats and deactivates its
 * devices over X-LICENSE-KEY; seats are exact, and activations plus deactivations are
 * limited per 24 hours so a seat cannot be cycled.
 */
forEachDatabase('licensing: devices and seats', (kind) => {
  let s: LicensingServer;
  let project: string;
  beforeAll(async () => {
    s = await startLicensingServer(kind, { env: { DEVICE_CHANGES_PER_DAY: '6' } });
    project = await s.project();
  });
  afterAll(async () => s?.close());

  const activate = (key: string | null, body: Record<string, unknown>) =>
    s.request('POST', '/api/v1/license/devices', { headers: key === null ? {} : { 'x-license-key': key }, body });
  const deactivate = (key: string, fingerprint: string) =>
    s.request('DELETE', `/api/v1/license/devices/${encodeURIComponent(fingerprint)}`, {
      headers: { 'x-license-key': key },
    });
  const heartbeat = (key: string, fingerprint: string) =>
    s.request('POST', `/api/v1/license/devices/${encodeURIComponent(fingerprint)}/heartbeat`, {
      headers: { 'x-license-key': key },
    });

  it('a license takes max_devices, heartbeat_interval and component_match on create', async () => {
    const res = await s.request('POST', `/api/v1/project/${project}/licenses`, {
      headers: s.dev.apiKeyHeaders,
      body: { title: 'Seated', max_devices: 2, heartbeat_interval: 3600, component_match: 'majority' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.data).toMatchObject({ max_devices: 2, heartbeat_interval: 3600, component_match: 'majority' });
    const plain = await s.license(project);
    const shown = await s.request('GET', `/api/v1/project/${project}/licenses/${plain.id}`, {
      headers: s.dev.apiKeyHeaders,
    });
    expect(shown.body.data).toMatchObject({ max_devices: null, heartbeat_interval: null, component_match: 'any' });
    const bad = await s.request('POST', `/api/v1/project/${project}/licenses`, {
      headers: s.dev.apiKeyHeaders,
      body: { title: 'Bad', max_devices: -1, heartbeat_interval: 5, component_match: 'some' },
    });
    expect(bad.status, bad.text).toBe(422);
  });

  it('activates a device, answers the same device again, refuses past max_devices and frees a seat on deactivation', async () => {
    const license = await s.license(project, { max_devices: 2 });
    const components = [
      { name: 'cpu', fingerprint: 'c1' },
      { name: 'disk', fingerprint: 'd1' },
    ];
    const first = await activate(license.key, {
      fingerprint: 'machine-a',
      name: 'Laptop',
      platform: 'linux',
      components,
    });
    expect(first.status, first.text).toBe(201);
    expect(first.body.data).toEqual({
      id: expect.any(String),
      fingerprint: 'machine-a',
      name: 'Laptop',
      platform: 'linux',
      components,
      status: 'active',
      activated_at: expect.any(String),
      last_heartbeat_at: expect.any(String),
    });
    const again = await activate(license.key, { fingerprint: 'machine-a' });
    expect(again.status, again.text).toBe(200);
    expect(again.body.data).toEqual(first.body.data);

    expect((await activate(license.key, { fingerprint: 'machine-b' })).status).toBe(201);
    const over = await activate(license.key, { fingerprint: 'machine-c' });
    expect(over.status, over.text).toBe(403);
    expect(over.body.message).toBe('This license has reached its limit of 2 device(s).');

    const freed = await deactivate(license.key, 'machine-a');
    expect(freed.status, freed.text).toBe(200);
    expect(freed.body.data).toMatchObject({ fingerprint: 'machine-a', status: 'deactivated' });
    expect((await deactivate(license.key, 'machine-a')).status).toBe(404);
    expect((await activate(license.key, { fingerprint: 'machine-c' })).status).toBe(201);

    const events = await s.ctx.db
      .selectFrom('events')
      .select(['type', 'payload'])
      .where('project_id', '=', project)
      .where('type', 'like', 'device.%')
      .orderBy('id')
      .execute();
    const mine = events
      .map((e) => ({ type: e.type, data: JSON.parse(e.payload) }))
      .filter((e) => e.data.license_id === license.id);
    expect(mine.map((e) => `${e.type} ${e.data.fingerprint}`)).toEqual([
      'device.activated machine-a',
      'device.activated machine-b',
      'device.deactivated machine-a',
      'device.activated machine-c',
    ]);
    const audit = await s.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('project_id', '=', project)
      .where('action', '=', 'device.deactivated')
      .execute();
    expect(audit.length).toBeGreaterThan(0);
  });

  it('a heartbeat answers the next deadline; an unknown device is 404', async () => {
    const license = await s.license(project, { max_devices: 1, heartbeat_interval: 600 });
    expect((await activate(license.key, { fingerprint: 'hb-1' })).status).toBe(201);
    const before = s.ctx.clock.now().getTime();
    const res = await heartbeat(license.key, 'hb-1');
    expect(res.status, res.text).toBe(200);
    const next = Date.parse(res.body.data.next_heartbeat_before);
    expect(next - Date.parse(res.body.data.last_heartbeat_at)).toBe(600_000);
    expect(next).toBeGreaterThanOrEqual(before + 600_000);
    expect((await heartbeat(license.key, 'hb-unknown')).status).toBe(404);
    const unlimited = await s.license(project);
    await activate(unlimited.key, { fingerprint: 'hb-2' });
    expect((await heartbeat(unlimited.key, 'hb-2')).body.data.next_heartbeat_before).toBeNull();
  });

  it('needs a known key of an active license', async () => {
    expect((await activate(null, { fingerprint: 'x' })).status).toBe(401);
    expect((await activate('00000000-0000-4000-8000-000000000000', { fingerprint: 'x' })).status).toBe(403);
    const license = await s.license(project);
    await s.request('POST', `/api/v1/project/${project}/licenses/${license.id}/revoke`, {
      headers: s.dev.apiKeyHeaders,
    });
    const revoked = await activate(license.key, { fingerprint: 'x' });
    expect(revoked.status, revoked.text).toBe(403);
    expect((await activate(license.key, { fingerprint: 'bad fingerprint' })).status).toBe(422);
    const live = await s.license(project);
    for (const bad of ['a b', 'x'.repeat(256), 'caf\u00e9']) {
      for (const res of [await heartbeat(live.key, bad), await deactivate(live.key, bad)]) {
        expect([414, 422], res.text).toContain(res.status);
        expect(res.body).toMatchObject({ status: 'error', message: expect.any(String) });
      }
    }
  });

  it('limits activations plus deactivations per license per 24 hours, then 429 with Retry-After', async () => {
    const license = await s.license(project, { max_devices: 1 });
    for (let i = 0; i < 3; i++) {
      expect((await activate(license.key, { fingerprint: `cycle-${i}` })).status).toBe(201);
      expect((await deactivate(license.key, `cycle-${i}`)).status).toBe(200);
    }
    const limited = await activate(license.key, { fingerprint: 'cycle-3' });
    expect(limited.status, limited.text).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(DAY / 1000 - 600);
    expect(retryAfter).toBeLessThanOrEqual(DAY / 1000);
    // The same device again is no change: still answered.
    s.later(DAY);
    expect((await activate(license.key, { fingerprint: 'cycle-3' })).status).toBe(201);
  });

  it('has-paid of a license with max_devices needs an active device, and its components when it sends them', async () => {
    const license = await s.license(project, { max_devices: 1, component_match: 'majority' });
    const hasPaid = (headers: Record<string, string> = {}) =>
      s.request('POST', '/api/v1/project/has-paid', {
        headers: { 'x-license-key': license.key, ...headers },
        body: {},
      });
    const refused = await hasPaid();
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.message).toBe('This device is not activated for this license.');
    expect((await hasPaid({ 'x-device-fingerprint': 'desk-1' })).status).toBe(403);

    const components = [
      { name: 'cpu', fingerprint: 'c1' },
      { name: 'disk', fingerprint: 'd1' },
      { name: 'mac', fingerprint: 'm1' },
    ];
    expect((await activate(license.key, { fingerprint: 'desk-1', components })).status).toBe(201);
    // The activation is seen at once (the runtime change feed), however often the key was checked before.
    const passed = await hasPaid({ 'x-device-fingerprint': 'desk-1' });
    expect(passed.status, passed.text).toBe(200);
    expect(passed.body.data.has_paid).toBe(true);
    const moved = JSON.stringify([
      components[0],
      { name: 'disk', fingerprint: 'new' },
      { name: 'mac', fingerprint: 'new' },
    ]);
    expect((await hasPaid({ 'x-device-fingerprint': 'desk-1', 'x-device-components': moved })).status).toBe(403);
    const oneChanged = JSON.stringify([components[0], components[1], { name: 'mac', fingerprint: 'new' }]);
    expect((await hasPaid({ 'x-device-fingerprint': 'desk-1', 'x-device-components': oneChanged })).status).toBe(200);
    expect((await hasPaid({ 'x-device-fingerprint': 'desk-1', 'x-device-components': 'not json' })).status).toBe(400);
    // Another device is refused until the seat is freed; the freed device is refused at once.
    expect((await hasPaid({ 'x-device-fingerprint': 'desk-2' })).status).toBe(403);
    expect((await deactivate(license.key, 'desk-1')).status).toBe(200);
    expect((await hasPaid({ 'x-device-fingerprint': 'desk-1' })).status).toBe(403);
    // A license without max_devices reads no device header.
    const plain = await s.license(project);
    expect(
      (await s.request('POST', '/api/v1/project/has-paid', { headers: { 'x-license-key': plain.key }, body: {} }))
        .status,
    ).toBe(200);
  });

  it('a machine file of a license with max_devices names an active device, with its name', async () => {
    const license = await s.license(project, { max_devices: 1 });
    const checkout = (
      body: Record<string, unknown>,
      path = '/api/v1/license/checkout',
      headers: Record<string, string> = { 'x-license-key': license.key },
    ) => s.request('POST', path, { headers, body });
    const owner = `/api/v1/project/${project}/licenses/${license.id}/checkout`;
    expect((await checkout({ fingerprint: 'vault-1' })).status).toBe(403);
    const ownerRefused = await checkout({ fingerprint: 'vault-1' }, owner, s.dev.apiKeyHeaders);
    expect(ownerRefused.status, ownerRefused.text).toBe(403);
    expect(ownerRefused.body.message).toBe('This device is not activated for this license.');

    expect((await activate(license.key, { fingerprint: 'vault-1', name: 'Vault' })).status).toBe(201);
    const res = await checkout({ fingerprint: 'vault-1', ttl: 3600 });
    expect(res.status, res.text).toBe(200);
    const jwks = await s.jwks(project);
    const data = readLicenseFile(res.body.data.certificate, {
      licenseKey: license.key,
      fingerprint: 'vault-1',
      jwks,
      state: {},
      now: s.ctx.clock.now().getTime(),
    });
    expect(data.device).toEqual({ fingerprint: 'vault-1', name: 'Vault' });
    expect(data.license.max_devices).toBe(1);
    expect((await checkout({ fingerprint: 'vault-1' }, owner, s.dev.apiKeyHeaders)).status).toBe(200);
  });

  it('PATCH changes the writable fields given and keeps the others; the seat rule follows at once', async () => {
    const license = await s.license(project, { max_usage_per_day: 100 });
    const path = `/api/v1/project/${project}/licenses/${license.id}`;
    const hasPaid = (headers: Record<string, string> = {}) =>
      s.request('POST', '/api/v1/project/has-paid', {
        headers: { 'x-license-key': license.key, ...headers },
        body: {},
      });
    expect((await hasPaid()).status).toBe(200);
    const res = await s.request('PATCH', path, {
      headers: s.dev.apiKeyHeaders,
      body: { max_devices: 1, heartbeat_interval: 120, component_match: 'all' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({
      id: license.id,
      max_devices: 1,
      heartbeat_interval: 120,
      component_match: 'all',
      max_usage_per_day: 100,
    });
    expect((await hasPaid()).status).toBe(403);
    const renamed = await s.request('PATCH', path, {
      headers: s.dev.apiKeyHeaders,
      body: { title: 'Renamed seat license', max_devices: null },
    });
    expect(renamed.body.data).toMatchObject({
      title: 'Renamed seat license',
      max_devices: null,
      heartbeat_interval: 120,
    });
    expect((await hasPaid()).status).toBe(200);
    const bad = await s.request('PATCH', path, { headers: s.dev.apiKeyHeaders, body: { component_match: 'most' } });
    expect(bad.status, bad.text).toBe(422);
    const events = await s.ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'license.updated')
      .where('project_id', '=', project)
      .execute();
    expect(events.map((e) => JSON.parse(e.payload).id)).toContain(license.id);
  });

  it("the developer lists a license's devices and frees a seat", async () => {
    const license = await s.license(project, { max_devices: 1 });
    const base = `/api/v1/project/${project}/licenses/${license.id}/devices`;
    const device = (await activate(license.key, { fingerprint: 'owned-1', name: 'Box' })).body.data;
    const listed = await s.request('GET', base, { headers: s.dev.apiKeyHeaders });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.data).toEqual([device]);
    const removed = await s.request('DELETE', `${base}/${device.id}`, { headers: s.dev.apiKeyHeaders });
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.data).toMatchObject({ id: device.id, status: 'deactivated' });
    expect((await s.request('DELETE', `${base}/${device.id}`, { headers: s.dev.apiKeyHeaders })).status).toBe(404);
    expect((await activate(license.key, { fingerprint: 'owned-2' })).status).toBe(201);
    const after = await s.request('GET', base, { headers: s.dev.apiKeyHeaders });
    expect(after.body.data.map((d: { fingerprint: string; status: string }) => `${d.fingerprint} ${d.status}`)).toEqual(
      ['owned-2 active', 'owned-1 deactivated'],
    );
  });

  it('a device silent for two heartbeat intervals is released once, by however many sweeps at once', async () => {
    const license = await s.license(project, { max_devices: 2, heartbeat_interval: 60 });
    expect((await activate(license.key, { fingerprint: 'quiet' })).status).toBe(201);
    expect((await activate(license.key, { fingerprint: 'chatty' })).status).toBe(201);
    s.later(90_000);
    expect((await heartbeat(license.key, 'chatty')).status).toBe(200);
    await Promise.all([releaseSilentDevices(s.ctx), releaseSilentDevices(s.ctx)]);
    // Not yet two intervals: nothing released.
    const still = await s.ctx.db
      .selectFrom('license_devices')
      .select(['fingerprint', 'status'])
      .where('license_id', '=', license.id)
      .orderBy('fingerprint')
      .execute();
    expect(still.map((d) => d.status)).toEqual(['active', 'active']);

    s.later(40_000);
    await Promise.all([releaseSilentDevices(s.ctx), releaseSilentDevices(s.ctx), releaseSilentDevices(s.ctx)]);
    const after = await s.ctx.db
      .selectFrom('license_devices')
      .select(['fingerprint', 'status'])
      .where('license_id', '=', license.id)
      .orderBy('fingerprint')
      .execute();
    expect(after).toEqual([
      { fingerprint: 'chatty', status: 'active' },
      { fingerprint: 'quiet', status: 'released' },
    ]);
    const events = await s.ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'device.released')
      .where('project_id', '=', project)
      .execute();
    expect(events.map((e) => JSON.parse(e.payload)).filter((e) => e.license_id === license.id)).toEqual([
      expect.objectContaining({ fingerprint: 'quiet', status: 'released' }),
    ]);
    // The seat is free and the released device is refused at once.
    const hasPaid = await s.request('POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': license.key, 'x-device-fingerprint': 'quiet' },
      body: {},
    });
    expect(hasPaid.status, hasPaid.text).toBe(403);
    expect((await heartbeat(license.key, 'quiet')).status).toBe(404);
    expect((await activate(license.key, { fingerprint: 'newcomer' })).status).toBe(201);
  });

  describe('seats under concurrency', () => {
    it('20 parallel activations of distinct fingerprints against max_devices 3 leave exactly 3 active', async () => {
      const license = await s.license(project, { max_devices: 3 });
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => activate(license.key, { fingerprint: `par-${i}` })),
      );
      expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
      expect(answers.filter((a) => a.status === 403)).toHaveLength(17);
      const active = await s.ctx.db
        .selectFrom('license_devices')
        .select('id')
        .where('license_id', '=', license.id)
        .where('status', '=', 'active')
        .execute();
      expect(active).toHaveLength(3);
    });
  });
});
