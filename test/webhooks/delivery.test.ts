import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { eventually, Receiver } from './receiver.js';

const SECRET = 'whsec-test-secret-0123456789';

/** A project with its webhook pointing at `url`, created over the devpayr face. */
async function projectWithWebhook(
  s: TestServer,
  dev: SeededDeveloper,
  url: string,
  secret: string | null,
): Promise<string> {
  const res = await s.request('POST', '/api/v1/project', {
    headers: dev.apiKeyHeaders,
    body: { name: `Hooked ${Math.random()}`, webhook_url: url, ...(secret ? { webhook_secret: secret } : {}) },
  });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

const deliveriesOf = (s: TestServer, projectId: string) =>
  s.ctx.db.selectFrom('webhook_deliveries').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

forEachDatabase('webhook delivery', (kind) => {
  describe('signed, complete and retried', () => {
    let s: TestServer;
    let dev: SeededDeveloper;
    let receiver: Receiver;
    beforeAll(async () => {
      s = await startServer(kind, {
        env: {
          WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
          WEBHOOK_RETRY_SCHEDULE: '150ms,150ms,150ms,150ms',
          WEBHOOK_TIMEOUT: '1500ms',
          WEBHOOK_POLL_INTERVAL: '50ms',
        },
      });
      dev = await seedDeveloper(s.ctx);
      receiver = await Receiver.start(SECRET);
    });
    afterAll(async () => {
      await s?.close();
      await receiver?.close();
    });

    it('delivers every event of the project once, in the Standard Webhooks form, verified by the standardwebhooks package', async () => {
      const projectId = await projectWithWebhook(s, dev, receiver.url, SECRET);
      const base = `/api/v1/project/${projectId}`;
      const h = { headers: dev.apiKeyHeaders };
      const license = await s.request('POST', `${base}/licenses`, { ...h, body: { title: 'Seat' } });
      expect(license.status).toBe(201);
      const licenseId = license.body.data.id as string;
      expect((await s.request('POST', `${base}/licenses/${licenseId}/revoke`, h)).status).toBe(200);
      expect((await s.request('POST', `${base}/licenses/${licenseId}/reactivate`, h)).status).toBe(200);
      const domain = await s.request('POST', `${base}/domains`, { ...h, body: { domain: 'shop.example.com' } });
      expect(domain.status).toBe(201);
      expect(
        (await s.request('PUT', `${base}/domain/${domain.body.data.id}`, { ...h, body: { has_paid: true } })).status,
      ).toBe(200);
      expect((await s.request('DELETE', `${base}/domain/${domain.body.data.id}`, h)).status).toBe(200);
      expect((await s.request('PATCH', base, { ...h, body: { has_paid: true } })).status).toBe(200);
      expect((await s.request('DELETE', `${base}/licenses/${licenseId}`, h)).status).toBe(200);

      const types = [
        'project.created',
        'license.created',
        'license.revoked',
        'license.reactivated',
        'domain.created',
        'domain.updated',
        'domain.deleted',
        'project.updated',
        'project.paid',
        'license.deleted',
      ];
      await receiver.waitFor(() => types.every((t) => receiver.ofType(t).length > 0), 15_000, types.join(','));
      const events = await s.ctx.db
        .selectFrom('events')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('id')
        .execute();
      expect(events.map((e) => e.type).sort()).toEqual([...types].sort());
      await eventually(
        async () => (await deliveriesOf(s, projectId)).every((d) => d.status === 'delivered'),
        5000,
        'all delivered',
      );

      const mine = receiver.received.filter((r) => events.some((e) => e.id === r.id));
      // Each event reached the receiver exactly as often as an attempt was logged for it (once, unless the machine stalled past the timeout).
      const logged = await s.ctx.db
        .selectFrom('webhook_attempts')
        .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
        .select(['webhook_deliveries.event_id', 'webhook_attempts.error'])
        .where('webhook_deliveries.project_id', '=', projectId)
        .execute();
      expect(mine.map((r) => r.id).sort()).toEqual(logged.map((a) => a.event_id).sort());
      expect(new Set(mine.map((r) => r.id)).size).toBe(events.length);
      for (const r of mine) {
        const event = events.find((e) => e.id === r.id)!;
        expect(r.verified).toBe(true);
        expect(r.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
        expect(Math.abs(Number(r.timestamp) - Date.now() / 1000)).toBeLessThan(30);
        expect(r.payload).toEqual({
          type: event.type,
          timestamp: new Date(event.created_at).toISOString(),
          data: JSON.parse(event.payload),
        });
        // Never a secret, a key or a hash.
        expect(r.body).not.toContain(SECRET);
        expect(r.body).not.toContain(license.body.data.uuid ?? license.body.data.key ?? '~none~');
        expect(Object.keys(r.payload.data)).not.toEqual(expect.arrayContaining(['key']));
        for (const k of Object.keys(r.payload.data)) expect(k).not.toMatch(/key|hash|secret/);
      }
      const created = receiver.ofType('license.created').find((r) => r.payload.data.id === licenseId)!;
      expect(created.payload.data).toMatchObject({
        id: licenseId,
        project_id: projectId,
        title: 'Seat',
        status: 'active',
      });
      expect(receiver.ofType('project.paid').at(-1)!.payload.data).toMatchObject({ id: projectId, has_paid: true });

      const rows = await deliveriesOf(s, projectId);
      for (const d of rows) {
        expect(d).toMatchObject({ status: 'delivered', last_status_code: 200, lease_owner: null });
        const attempts = await s.ctx.db
          .selectFrom('webhook_attempts')
          .selectAll()
          .where('delivery_id', '=', d.id)
          .orderBy('attempted_at')
          .execute();
        expect(attempts).toHaveLength(d.attempts);
        expect(attempts.at(-1)).toMatchObject({ status_code: 200, response_body: '{"received":true}', error: null });
        expect(attempts.at(-1)!.duration_ms).toBeGreaterThanOrEqual(0);
      }
    });

    it('retries through a failing, timing-out and redirecting receiver with the same webhook-id, follows no redirect, and delivers once it recovers', async () => {
      const receiver = await Receiver.start(SECRET);
      onTestFinished(() => receiver.close());
      const projectId = await projectWithWebhook(s, dev, receiver.url, SECRET);
      receiver.queue.push('fail', 'timeout', 'redirect', 'ok');
      const before = receiver.received.length;
      const license = await s.request('POST', `/api/v1/project/${projectId}/licenses`, {
        headers: dev.apiKeyHeaders,
        body: { title: 'Retried' },
      });
      expect(license.status).toBe(201);
      // project.created went first and took 'fail'; follow the delivery of license.created.
      const delivery = await eventually(
        async () => {
          const rows = await deliveriesOf(s, projectId);
          return rows.length === 2 && rows.every((d) => d.status === 'delivered') ? rows : undefined;
        },
        15_000,
        'both delivered after retries',
      );
      const all = receiver.received.slice(before);
      for (const d of delivery) {
        const attempts = await s.ctx.db
          .selectFrom('webhook_attempts')
          .selectAll()
          .where('delivery_id', '=', d.id)
          .orderBy('attempted_at')
          .execute();
        const sent = all.filter((r) => r.id === d.event_id);
        expect(sent.length).toBe(attempts.length);
        expect(sent.every((r) => r.verified === true)).toBe(true);
        expect(attempts.at(-1)).toMatchObject({ status_code: 200, error: null });
        expect(d.attempts).toBe(attempts.length);
      }
      const attempts = (
        await s.ctx.db
          .selectFrom('webhook_attempts')
          .selectAll()
          .where(
            'delivery_id',
            'in',
            delivery.map((d) => d.id),
          )
          .orderBy('attempted_at')
          .execute()
      ).map((a) => [a.status_code, a.error]);
      expect(attempts).toEqual(
        [
          [500, 'answered 500'],
          [null, 'no answer within 1500 ms'],
          [302, 'redirect to /moved not followed'],
          [200, null],
          [200, null],
        ].slice(0, attempts.length),
      );
      expect(attempts).toHaveLength(5);
      expect(receiver.followed).toEqual([]);
      // Timestamps are per attempt, the id per event.
      const retried = all.filter((r) => r.mode !== 'ok');
      expect(new Set(retried.map((r) => r.timestamp)).size).toBeGreaterThanOrEqual(1);
    });

    it('gives up after the last delay of the schedule: failed, and no further attempt', async () => {
      const receiver = await Receiver.start(SECRET);
      onTestFinished(() => receiver.close());
      const projectId = await projectWithWebhook(s, dev, receiver.url, SECRET);
      receiver.queue.push('fail', 'fail', 'fail', 'fail', 'fail');
      const failed = await eventually(
        async () => {
          const [d] = await deliveriesOf(s, projectId);
          return d?.status === 'failed' ? d : undefined;
        },
        10_000,
        'failed',
      );
      expect(failed).toMatchObject({
        attempts: 5,
        last_status_code: 500,
        next_attempt_at: null,
        event_type: 'project.created',
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received.filter((r) => r.id === failed.event_id)).toHaveLength(5);
    });

    it('signs with the UTF-8 bytes of a non-ASCII secret', async () => {
      const unicode = await Receiver.start('sécret-ünïcode-✓-鍵');
      onTestFinished(() => unicode.close());
      await projectWithWebhook(s, dev, unicode.url, unicode.secret);
      await unicode.waitFor(() => unicode.received.length === 1, 5000, 'project.created');
      expect(unicode.received[0]!.verified).toBe(true);
    });

    it('sends unsigned when the project has no secret', async () => {
      const unsigned = await Receiver.start(null);
      try {
        const projectId = await projectWithWebhook(s, dev, unsigned.url, null);
        await unsigned.waitFor(() => unsigned.received.length === 1, 5000, 'project.created');
        expect(unsigned.received[0]).toMatchObject({
          signature: undefined,
          payload: { type: 'project.created', data: { id: projectId } },
        });
        expect(unsigned.received[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        await unsigned.close();
      }
    });
  });

  describe('endpoint disabled after failing too long', () => {
    let s: TestServer;
    let dev: SeededDeveloper;
    let receiver: Receiver;
    beforeAll(async () => {
      s = await startServer(kind, {
        env: {
          WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
          WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms',
          WEBHOOK_DISABLE_AFTER: '600ms',
          WEBHOOK_POLL_INTERVAL: '50ms',
        },
      });
      dev = await seedDeveloper(s.ctx);
      receiver = await Receiver.start(SECRET);
    });
    afterAll(async () => {
      await s?.close();
      await receiver?.close();
    });

    it('disables it with a webhook.disabled audit entry, queues nothing more, and setting the URL again re-enables it', async () => {
      receiver.mode = 'fail';
      const projectId = await projectWithWebhook(s, dev, receiver.url, SECRET);
      const disabled = await eventually(
        async () => {
          const p = await s.ctx.db
            .selectFrom('projects')
            .select(['webhook_disabled_at'])
            .where('id', '=', projectId)
            .executeTakeFirstOrThrow();
          return p.webhook_disabled_at ?? undefined;
        },
        10_000,
        'disabled',
      );
      expect(disabled).toBeTruthy();
      const audit = await s.ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('action', '=', 'webhook.disabled')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor_type: 'system',
        actor_id: null,
        owner_id: dev.userId,
        target_type: 'webhook',
      });
      const [d] = await deliveriesOf(s, projectId);
      expect(d!.status).toBe('failed');

      receiver.mode = 'ok';
      await s.request('POST', `/api/v1/project/${projectId}/licenses`, {
        headers: dev.apiKeyHeaders,
        body: { title: 'While disabled' },
      });
      expect(await deliveriesOf(s, projectId)).toHaveLength(1);

      const again = await s.request('PATCH', `/api/v1/project/${projectId}`, {
        headers: dev.apiKeyHeaders,
        body: { webhook_url: receiver.url },
      });
      expect(again.status).toBe(200);
      await receiver.waitFor(
        () => receiver.ofType('project.updated').some((r) => r.payload.data.id === projectId),
        5000,
        'project.updated after re-enabling',
      );
      const p = await s.ctx.db
        .selectFrom('projects')
        .select(['webhook_disabled_at', 'webhook_failing_since'])
        .where('id', '=', projectId)
        .executeTakeFirstOrThrow();
      expect(p).toEqual({ webhook_disabled_at: null, webhook_failing_since: null });

      // The developer reads both in their audit log: the system disabled it, they re-enabled it.
      const log = await s.request('GET', `/api/v1/project/${projectId}/audit-log`, { headers: dev.apiKeyHeaders });
      const entries = log.body.data.data as Array<{ action: string; actor_type: string; request_id: string | null }>;
      expect(entries.filter((e) => e.action === 'webhook.disabled')).toEqual([
        expect.objectContaining({ actor_type: 'system', actor_id: null, target_type: 'webhook', target_id: projectId }),
      ]);
      expect(entries.filter((e) => e.action === 'webhook.enabled')).toEqual([
        expect.objectContaining({
          actor_type: 'developer_key',
          actor_id: dev.userId,
          request_id: again.headers.get('x-request-id'),
          changed_fields: ['webhook_disabled_at'],
        }),
      ]);
      // Setting the URL of an endpoint that is not disabled is an update, not a re-enabling.
      expect(
        (
          await s.request('PUT', `/api/v1/projects/${projectId}/webhook`, {
            headers: dev.headers,
            body: { url: receiver.url, secret: SECRET },
          })
        ).status,
      ).toBe(200);
      const later = await s.request('GET', `/api/v1/project/${projectId}/audit-log?action=webhook.enabled`, {
        headers: dev.apiKeyHeaders,
      });
      expect(later.body.data.data).toHaveLength(1);
    });

    it('the devkit face re-enables a disabled endpoint too, by PUT …/webhook with its URL', async () => {
      receiver.mode = 'fail';
      const projectId = await projectWithWebhook(s, dev, receiver.url, SECRET);
      await eventually(
        async () => {
          const p = await s.ctx.db
            .selectFrom('projects')
            .select(['webhook_disabled_at'])
            .where('id', '=', projectId)
            .executeTakeFirstOrThrow();
          return p.webhook_disabled_at ?? undefined;
        },
        10_000,
        'disabled',
      );
      receiver.mode = 'ok';
      const put = await s.request('PUT', `/api/v1/projects/${projectId}/webhook`, {
        headers: dev.headers,
        body: { url: receiver.url, secret: SECRET },
      });
      expect(put.status).toBe(200);
      await receiver.waitFor(
        () => receiver.ofType('project.updated').some((r) => r.payload.data.id === projectId),
        5000,
        'project.updated after re-enabling',
      );
      const log = await s.request('GET', `/api/v1/audit-log?project_id=${projectId}&action=webhook.enabled`, {
        headers: dev.headers,
      });
      expect(log.body.entries).toEqual([
        expect.objectContaining({ actor_type: 'developer_key', request_id: put.headers.get('x-request-id') }),
      ]);
    });
  });

  describe('no SSRF', () => {
    let s: TestServer;
    let dev: SeededDeveloper;
    let receiver: Receiver;
    beforeAll(async () => {
      s = await startServer(kind, { env: { WEBHOOK_RETRY_SCHEDULE: '10s', WEBHOOK_POLL_INTERVAL: '50ms' } });
      dev = await seedDeveloper(s.ctx);
      receiver = await Receiver.start(SECRET);
    });
    afterAll(async () => {
      await s?.close();
      await receiver?.close();
    });

    it('refuses loopback, private, link-local and metadata addresses and other schemes when the URL is saved', async () => {
      const port = new URL(receiver.url).port;
      for (const url of [
        receiver.url,
        `http://localhost:${port}/hooks`,
        'http://10.1.2.3/hook',
        'http://192.168.0.10/hook',
        'http://169.254.169.254/latest/meta-data/',
        `http://[::1]:${port}/hook`,
        `http://[::ffff:127.0.0.1]:${port}/hook`,
        'http://[fd00:ec2::254]/hook',
        'ftp://example.com/hook',
        'file:///etc/passwd',
      ]) {
        const res = await s.request('POST', '/api/v1/project', {
          headers: dev.apiKeyHeaders,
          body: { name: `SSRF ${Math.random()}`, webhook_url: url },
        });
        expect(res.status, url).toBe(422);
        expect(Object.keys(res.body.errors), url).toEqual(['webhook_url']);
      }
      expect(await s.ctx.db.selectFrom('projects').select('id').where('owner_id', '=', dev.userId).execute()).toEqual(
        [],
      );
      // The devkit face's PUT …/webhook refuses them alike, in its own error format.
      const devkitProject = await s.request('POST', '/api/v1/projects/', {
        headers: dev.headers,
        body: { name: 'SSRF devkit' },
      });
      for (const url of [
        `http://localhost:${port}/hooks`,
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]/hook',
      ]) {
        const res = await s.request('PUT', `/api/v1/projects/${devkitProject.body.id}/webhook`, {
          headers: dev.headers,
          body: { url, secret: SECRET },
        });
        expect(res.status, url).toBe(422);
        expect(JSON.stringify(res.body.detail), url).toMatch(/loopback, private or link-local/);
      }
      const kept = await s.ctx.db
        .selectFrom('projects')
        .select('webhook_url')
        .where('id', '=', devkitProject.body.id)
        .executeTakeFirstOrThrow();
      expect(kept.webhook_url).toBeNull();
      await s.request('DELETE', `/api/v1/projects/${devkitProject.body.id}`, { headers: dev.headers });
      expect(receiver.received).toEqual([]);
    });

    it('refuses at delivery a host that resolves to loopback (as after a DNS change) and an address literal, sending nothing', async () => {
      const port = new URL(receiver.url).port;
      const ok = await s.request('POST', '/api/v1/project', {
        headers: dev.apiKeyHeaders,
        body: { name: `Later ${Math.random()}` },
      });
      const projectId = ok.body.data.id as string;
      for (const url of [
        `http://localhost:${port}/hooks`,
        `http://127.0.0.1:${port}/hooks`,
        `http://[::ffff:7f00:1]:${port}/hooks`,
        'http://169.254.169.254/latest/meta-data/',
      ]) {
        // Saved while it resolved elsewhere: written directly, as the save-time check would have passed it.
        await s.ctx.db.updateTable('projects').set({ webhook_url: url }).where('id', '=', projectId).execute();
        const before = (await deliveriesOf(s, projectId)).length;
        expect(
          (
            await s.request('POST', `/api/v1/project/${projectId}/licenses`, {
              headers: dev.apiKeyHeaders,
              body: { title: `L ${Math.random()}` },
            })
          ).status,
        ).toBe(201);
        const d = await eventually(
          async () => {
            const rows = await deliveriesOf(s, projectId);
            return rows.length > before && rows.at(-1)!.attempts === 1 ? rows.at(-1) : undefined;
          },
          5000,
          `attempt to ${url}`,
        );
        expect(d!.status, url).toBe('retrying');
        expect(d!.last_error, url).toMatch(/loopback, private, link-local or reserved address; refused/);
      }
      expect(receiver.received).toEqual([]);
    });
  });
});
