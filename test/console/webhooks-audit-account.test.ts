import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { eventually, Receiver } from '../webhooks/receiver.js';
import { ConsoleClient } from './client.js';

const SECRET = 'whsec-console-secret-42';
const NEW_PASSWORD = 'Changed-Pass-456';

/**
 * The console's webhooks, audit log, account and editing routes over real HTTP: the webhook
 * endpoint is a receiver on loopback that verifies signatures with the official package.
 */
forEachDatabase('console API: webhooks, audit log, account, editing', (kind) => {
  let s: TestServer;
  let receiver: Receiver;
  let dev: SeededDeveloper;
  let c: ConsoleClient;
  let projectId: string;

  beforeAll(async () => {
    s = await startServer(kind, {
      env: { RATE_LIMIT: 'off', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '50ms' },
    });
    receiver = await Receiver.start(SECRET);
    dev = await seedDeveloper(s.ctx, { tier: 'cloud_premium' });
    c = new ConsoleClient(s);
    expect((await c.signIn(dev.email, PASSWORD)).status).toBe(200);
    projectId = (await c.call('POST', '/projects', { name: 'Hooked console project' })).body.id;
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('sets the webhook URL and secret: the secret never comes back, the unsigned warning shows until it is set, a bad URL is refused on its field', async () => {
    const unsigned = await c.call('PUT', `/projects/${projectId}/webhook`, { url: receiver.url });
    expect(unsigned.status).toBe(200);
    expect(unsigned.body).toMatchObject({
      webhookUrl: receiver.url,
      hasWebhookSecret: false,
      webhookWarning: expect.stringMatching(/unsigned/),
    });
    const signed = await c.call('PUT', `/projects/${projectId}/webhook`, { url: receiver.url, secret: SECRET });
    expect(signed.body).toMatchObject({
      webhookUrl: receiver.url,
      hasWebhookSecret: true,
      webhookWarning: null,
      webhookDisabledAt: null,
    });
    expect(signed.text).not.toContain(SECRET);
    // An empty secret field keeps the secret; null removes it.
    expect(
      (await c.call('PUT', `/projects/${projectId}/webhook`, { url: receiver.url, secret: '' })).body.hasWebhookSecret,
    ).toBe(true);
    const bad = await c.call('PUT', `/projects/${projectId}/webhook`, { url: 'gopher://example.com/x' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields[0].field).toBe('webhook_url');
    expect((await c.call('GET', `/projects/${projectId}`)).body.webhookUrl).toBe(receiver.url);
  });

  it('a test event is delivered and verified; the log filters by status and event, pages on the server, shows attempts, and resends with the same webhook-id', async () => {
    const sent = await c.call('POST', `/projects/${projectId}/webhook-test`);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ event: 'webhook.test', status: 'pending', attempts: 0 });
    await receiver.waitFor(() => receiver.ofType('webhook.test').length === 1, 10_000, 'webhook.test');
    expect(receiver.ofType('webhook.test')[0]!.verified).toBe(true);
    const id = sent.body.id as string;
    const shown = await eventually(
      async () => {
        const d = await c.call('GET', `/projects/${projectId}/webhook-deliveries/${id}`);
        return d.body.delivery.status === 'delivered' ? d : undefined;
      },
      10_000,
      'delivered',
    );
    expect(shown.body.attempts).toEqual([
      {
        attemptedAt: expect.any(String),
        statusCode: 200,
        durationMs: expect.any(Number),
        responseBody: '{"received":true}',
        error: null,
      },
    ]);
    expect(shown.text).not.toContain(SECRET);

    // A failing attempt is logged with its status code and the receiver's answer.
    receiver.queue.push('fail');
    const failing = (await c.call('POST', `/projects/${projectId}/webhook-test`)).body;
    const retrying = await eventually(
      async () => {
        const d = await c.call('GET', `/projects/${projectId}/webhook-deliveries/${failing.id}`);
        return d.body.attempts.length === 1 ? d : undefined;
      },
      10_000,
      'a failed attempt',
    );
    expect(retrying.body.delivery.status).toBe('retrying');
    expect(retrying.body.attempts[0]).toMatchObject({ statusCode: 500, responseBody: 'receiver broke' });

    const list = await c.call('GET', `/projects/${projectId}/webhook-deliveries?event=webhook.test&perPage=1`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].id).toBe(failing.id);
    expect(list.body.eventTypes).toContain('license.created');
    const next = await c.call(
      'GET',
      `/projects/${projectId}/webhook-deliveries?event=webhook.test&perPage=1&cursor=${list.body.nextCursor}`,
    );
    expect(next.body.items.map((d: { id: string }) => d.id)).toEqual([id]);
    const delivered = await c.call('GET', `/projects/${projectId}/webhook-deliveries?status=delivered`);
    expect(delivered.body.items.map((d: { id: string }) => d.id)).toContain(id);
    expect(delivered.body.items.map((d: { id: string }) => d.id)).not.toContain(failing.id);
    expect((await c.call('GET', `/projects/${projectId}/webhook-deliveries?event=license.created`)).body.items).toEqual(
      [],
    );

    const before = receiver.ofType('webhook.test').filter((r) => r.id === shown.body.delivery.eventId).length;
    const resent = await c.call('POST', `/projects/${projectId}/webhook-deliveries/${id}/resend`);
    expect(resent.status).toBe(200);
    expect(resent.body.status).toBe('pending');
    await receiver.waitFor(
      () => receiver.ofType('webhook.test').filter((r) => r.id === shown.body.delivery.eventId).length === before + 1,
      10_000,
      'the resent delivery',
    );
  });

  it('sending a test event without a webhook URL is refused on the URL field, in words', async () => {
    const bare = (await c.call('POST', '/projects', { name: 'No hook' })).body.id;
    const r = await c.call('POST', `/projects/${bare}/webhook-test`);
    expect(r.status).toBe(422);
    expect(r.body.error.fields[0]).toMatchObject({
      field: 'webhook_url',
      message: expect.stringMatching(/no webhook url/),
    });
  });

  it('the audit log lists the developer’s actions with every filter, pages, and answers 404 for another developer’s project', async () => {
    const all = await c.call('GET', '/audit-log?perPage=50');
    expect(all.status).toBe(200);
    const actions = all.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['project.created', 'project.updated', 'webhook.tested', 'webhook_delivery.resent']),
    );
    const created = all.body.items.find(
      (e: { action: string; projectId: string }) => e.action === 'project.created' && e.projectId === projectId,
    );
    expect(created).toMatchObject({
      actorType: 'developer',
      targetType: 'project',
      targetId: projectId,
      ip: expect.any(String),
    });
    const resent = await c.call('GET', `/audit-log?action=webhook_delivery.resent&projectId=${projectId}`);
    expect(resent.body.items).toHaveLength(1);
    expect((await c.call('GET', '/audit-log?actorType=developer_key')).body.items).toEqual([]);
    expect((await c.call('GET', '/audit-log?actorType=developer&perPage=1')).body.nextCursor).toEqual(
      expect.any(String),
    );
    const future = new Date(Date.now() + 86400_000).toISOString();
    expect((await c.call('GET', `/audit-log?since=${future}`)).body.items).toEqual([]);
    expect((await c.call('GET', `/audit-log?until=${future}`)).body.items.length).toBe(all.body.items.length);
    const bad = await c.call('GET', '/audit-log?since=yesterday');
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields[0].field).toBe('since');
    const other = await seedDeveloper(s.ctx);
    const o = new ConsoleClient(s);
    await o.signIn(other.email, PASSWORD);
    expect((await o.call('GET', `/audit-log?projectId=${projectId}`)).status).toBe(404);
    expect((await o.call('GET', '/audit-log')).body.items).toEqual([]);
  });

  it('edits a domain through the core update (normalised, primary, paid) and refuses a taken name on its field', async () => {
    const a = (await c.call('POST', `/projects/${projectId}/domains`, { domain: 'a.example.com' })).body;
    await c.call('POST', `/projects/${projectId}/domains`, { domain: 'b.example.com' });
    const edited = await c.call('PATCH', `/projects/${projectId}/domains/${a.id}`, {
      domain: 'Shop.Example.COM',
      environment: 'staging',
      isPrimary: true,
      hasPaid: true,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id: a.id,
      domain: 'shop.example.com',
      environment: 'staging',
      isPrimary: true,
      hasPaid: true,
    });
    const taken = await c.call('PATCH', `/projects/${projectId}/domains/${a.id}`, { domain: 'b.example.com' });
    expect(taken.status).toBeGreaterThanOrEqual(400);
    expect(taken.body.error.fields[0].field).toBe('domain');
    expect((await c.call('PATCH', `/projects/${projectId}/domains/${a.id}`, {})).status).toBe(422);
    const audit = await c.call('GET', `/audit-log?action=domain.updated&projectId=${projectId}`);
    expect(audit.body.items[0].changedFields).toEqual(
      expect.arrayContaining(['domain', 'environment', 'is_primary', 'has_paid']),
    );
  });

  it('edits an injectable: metadata alone, or the content replaced with the secret again; the content is never answered', async () => {
    const created = (
      await c.call('POST', `/projects/${projectId}/injectables`, {
        title: 'Banner',
        type: 'html',
        mode: 'inject',
        secret: 'first-secret-1',
        content: '<b>old banner</b>',
      })
    ).body;
    const renamed = await c.call('PATCH', `/projects/${projectId}/injectables/${created.id}`, {
      title: 'Top banner',
      onlyIfPaid: true,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ title: 'Top banner', onlyIfPaid: true, contentHash: created.contentHash });
    const noSecret = await c.call('PATCH', `/projects/${projectId}/injectables/${created.id}`, {
      content: '<b>new banner</b>',
    });
    expect(noSecret.status).toBe(422);
    expect(noSecret.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['secret']);
    const replaced = await c.call('PATCH', `/projects/${projectId}/injectables/${created.id}`, {
      content: '<b>new banner</b>',
      secret: 'second-secret-2',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.contentHash).not.toBe(created.contentHash);
    for (const r of [renamed, replaced, await c.call('GET', `/projects/${projectId}/injectables`)]) {
      expect(r.text).not.toMatch(/banner<\/b>|second-secret|first-secret/);
    }
    const badType = await c.call('PATCH', `/projects/${projectId}/injectables/${created.id}`, { type: 'spreadsheet' });
    expect(badType.status).toBe(422);
    expect(badType.body.error.fields[0].field).toBe('type');
  });

  it('changes the profile name; the email stays', async () => {
    const r = await c.call('PATCH', '/account', { fullName: '  Ada Lovelace ' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ fullName: 'Ada Lovelace', email: dev.email });
    expect((await c.call('GET', '/me')).body.fullName).toBe('Ada Lovelace');
    expect((await c.call('PATCH', '/account', { fullName: 'x'.repeat(256) })).status).toBe(422);
    expect((await c.call('GET', '/audit-log?action=account.updated')).body.items[0]).toMatchObject({
      targetId: dev.userId,
      changedFields: ['full_name'],
    });
  });

  it('changes the password: the current one is required, the new one must follow the rule; every other sign-in ends, this one stays', async () => {
    const u = await seedDeveloper(s.ctx);
    const here = new ConsoleClient(s);
    await here.signIn(u.email, PASSWORD);
    const elsewhere = new ConsoleClient(s);
    await elsewhere.signIn(u.email, PASSWORD);
    const wire = await s.request('POST', '/api/v1/auth/login', { body: { email: u.email, password: PASSWORD } });
    expect(wire.status).toBe(200);
    expect(
      (await s.request('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${wire.body.access_token}` } }))
        .status,
    ).toBe(200);

    const wrong = await here.call('POST', '/account/password', {
      currentPassword: 'Not-The-Pass-1',
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields).toEqual([
      { field: 'current_password', message: 'The current password is incorrect.' },
    ]);
    const weak = await here.call('POST', '/account/password', { currentPassword: PASSWORD, newPassword: 'weak' });
    expect(weak.status).toBe(422);
    expect(weak.body.error.fields[0]).toMatchObject({
      field: 'new_password',
      message: expect.stringMatching(/at least 8/),
    });
    const same = await here.call('POST', '/account/password', { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(same.body.error.fields[0].field).toBe('new_password');
    expect((await elsewhere.call('GET', '/me')).status).toBe(200);

    const ok = await here.call('POST', '/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, sessionsEnded: 1 });
    expect((await here.call('GET', '/me')).status).toBe(200);
    expect((await here.call('GET', '/sessions')).body.items).toHaveLength(1);
    expect((await elsewhere.call('GET', '/me')).status).toBe(401);
    // The devkit sign-in made with the old password cannot be refreshed any more, and its
    // access token, still within its lifetime, is refused at once.
    const refreshed = await s.request('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: wire.body.refresh_token },
    });
    expect(refreshed.status).toBe(401);
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    expect((await s.request('GET', '/api/v1/auth/me', bearer(wire.body.access_token))).status).toBe(401);
    // The session that made the change holds a fresh, live refresh token.
    const row = await s.ctx.db
      .selectFrom('console_sessions')
      .select(['refresh_token_enc', 'revoked_at'])
      .where('user_id', '=', u.userId)
      .where('revoked_at', 'is', null)
      .execute();
    expect(row).toHaveLength(1);
    expect(row[0]!.refresh_token_enc).toBeTruthy();
    expect(
      await s.ctx.db
        .selectFrom('refresh_tokens')
        .select('id')
        .where('user_id', '=', u.userId)
        .where('revoked_at', 'is', null)
        .execute(),
    ).toHaveLength(1);

    expect((await new ConsoleClient(s).signIn(u.email, PASSWORD)).status).toBe(401);
    expect((await new ConsoleClient(s).signIn(u.email, NEW_PASSWORD)).status).toBe(200);
    const audit = await here.call('GET', '/audit-log?action=account.password_changed');
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actorType: 'developer',
        targetType: 'user',
        targetId: u.userId,
        changedFields: ['password'],
      }),
    ]);
    expect(audit.text).not.toContain(NEW_PASSWORD);
    // A devkit sign-in with the new password is of the new generation.
    const again = await s.request('POST', '/api/v1/auth/login', { body: { email: u.email, password: NEW_PASSWORD } });
    expect((await s.request('GET', '/api/v1/auth/me', bearer(again.body.access_token))).status).toBe(200);
  });
});
