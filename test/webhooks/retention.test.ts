import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { eventually, Receiver } from './receiver.js';

const SECRET = 'whsec-retention-secret-0123';
const DAY = 86_400_000;

/**
 * WEBHOOK_LOG_RETENTION_DAYS and AUDIT_RETENTION_DAYS, pruned by a serving process in the
 * background (at its start, then hourly): rows are aged in the database, a second serving
 * process starts on the same database, and what is left is read over HTTP.
 */
forEachDatabase('retention of the webhook log and the audit log', (kind) => {
  let s: TestServer;
  let dev: SeededDeveloper;
  let receiver: Receiver;
  let projectId: string;
  const env = {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_POLL_INTERVAL: '50ms',
    WEBHOOK_LOG_RETENTION_DAYS: '30',
    AUDIT_RETENTION_DAYS: '365',
    RATE_LIMIT: 'false',
    // Both processes open the same sealed webhook secrets.
    TOLLGATE_SECRET: 'retention-test-server-secret-0123456789',
  };

  beforeAll(async () => {
    s = await startServer(kind, { env });
    dev = await seedDeveloper(s.ctx);
    receiver = await Receiver.start(SECRET);
    const created = await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Retained' } });
    projectId = created.body.id;
    const hook = await s.request('PUT', `/api/v1/projects/${projectId}/webhook`, {
      headers: dev.headers,
      body: { url: receiver.url, secret: SECRET },
    });
    expect(hook.status, hook.text).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  const base = () => `/api/v1/projects/${projectId}`;
  const listed = async (): Promise<string[]> => {
    const res = await s.request('GET', `${base()}/webhook-deliveries?limit=50`, { headers: dev.headers });
    expect(res.status, res.text).toBe(200);
    return res.body.deliveries.map((d: { id: string }) => d.id);
  };

  it('prunes finished deliveries and their attempts past retention; keeps recent, pending and recently resent ones, and recent audit entries', async () => {
    // Setting the URL was itself delivered (project.updated): a recent delivery like `recent`.
    const earlier = await listed();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = await s.request('POST', `${base()}/webhook-test`, { headers: dev.headers });
      expect(t.status, t.text).toBe(200);
      sent.push(t.body.id);
    }
    await eventually(
      async () => {
        const rows = await s.ctx.db.selectFrom('webhook_deliveries').select('status').where('id', 'in', sent).execute();
        return rows.every((r) => r.status === 'delivered');
      },
      10_000,
      'all delivered',
    );
    const [oldDelivered, oldFailed, oldRetrying, oldResent, recent] = sent as [string, string, string, string, string];

    // 40 days ago: created, and attempted.
    const old = new Date(Date.now() - 40 * DAY);
    const aged = [oldDelivered, oldFailed, oldRetrying, oldResent];
    await s.ctx.db.updateTable('webhook_deliveries').set({ created_at: old }).where('id', 'in', aged).execute();
    await s.ctx.db
      .updateTable('webhook_attempts')
      .set({ attempted_at: old })
      .where('delivery_id', 'in', aged)
      .execute();
    await s.ctx.db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_status_code: 500 })
      .where('id', '=', oldFailed)
      .execute();
    // Still in its schedule (a next attempt tomorrow): kept whatever its age.
    await s.ctx.db
      .updateTable('webhook_deliveries')
      .set({ status: 'retrying', next_attempt_at: new Date(Date.now() + DAY) })
      .where('id', '=', oldRetrying)
      .execute();
    // Resent today: its newest attempt is recent.
    expect(
      (await s.request('POST', `${base()}/webhook-deliveries/${oldResent}/resend`, { headers: dev.headers })).status,
    ).toBe(200);
    await eventually(
      async () => {
        const d = await s.request('GET', `${base()}/webhook-deliveries/${oldResent}`, { headers: dev.headers });
        return d.body.status === 'delivered' && d.body.attempts.length === 2;
      },
      10_000,
      'resent and delivered',
    );

    // Audit: one entry past AUDIT_RETENTION_DAYS, the rest recent.
    const audit = await s.request('GET', `/api/v1/audit-log?project_id=${projectId}&limit=50`, {
      headers: dev.headers,
    });
    const entries = audit.body.entries as Array<{ id: string; action: string }>;
    const created = entries.find((e) => e.action === 'project.created')!;
    await s.ctx.db
      .updateTable('audit_log')
      .set({ created_at: new Date(Date.now() - 400 * DAY) })
      .where('id', '=', created.id)
      .execute();

    expect((await listed()).sort()).toEqual([...earlier, ...sent].sort());

    // Events, the deliveries' outbox: those of the aged deliveries are aged too, and so is the
    // project's creation, which was recorded before it had a webhook URL (no delivery refers to it).
    const eventOf = async (delivery: string) =>
      (
        await s.ctx.db
          .selectFrom('webhook_deliveries')
          .select('event_id')
          .where('id', '=', delivery)
          .executeTakeFirstOrThrow()
      ).event_id;
    const events = Object.fromEntries(await Promise.all(sent.map(async (d) => [d, await eventOf(d)] as const)));
    const orphan = await s.ctx.db
      .selectFrom('events as e')
      .select('e.id')
      .where('e.project_id', '=', projectId)
      .where('e.type', '=', 'project.created')
      .executeTakeFirstOrThrow();
    await s.ctx.db
      .updateTable('events')
      .set({ created_at: old })
      .where('id', 'in', [...aged.map((d) => events[d]!), orphan.id])
      .execute();

    // A second serving process on the same database prunes at its start.
    const second = await startServer(kind, {
      env,
      databaseUrl: kind === 'postgres' ? s.config.database.url! : `sqlite:${s.config.database.sqliteFile}`,
    });
    try {
      await eventually(async () => !(await listed()).includes(oldDelivered), 10_000, 'pruned');
      expect((await listed()).sort()).toEqual([...earlier, oldRetrying, oldResent, recent].sort());
      expect(
        (await s.request('GET', `${base()}/webhook-deliveries/${oldFailed}`, { headers: dev.headers })).status,
      ).toBe(404);
      expect(
        await s.ctx.db
          .selectFrom('webhook_attempts')
          .select('id')
          .where('delivery_id', 'in', [oldDelivered, oldFailed])
          .execute(),
      ).toEqual([]);
      const kept = await s.request('GET', `${base()}/webhook-deliveries/${oldResent}`, { headers: dev.headers });
      expect(kept.body.attempts).toHaveLength(2);
      // Old events go once no delivery refers to them; those still referred to stay, whatever their age.
      const left = (await s.ctx.db.selectFrom('events').select('id').where('project_id', '=', projectId).execute()).map(
        (r) => r.id,
      );
      expect(left).not.toContain(orphan.id);
      expect(left).not.toContain(events[oldDelivered]);
      expect(left).not.toContain(events[oldFailed]);
      for (const d of [oldRetrying, oldResent, recent]) expect(left).toContain(events[d]);

      await eventually(
        async () => {
          const after = await s.request('GET', `/api/v1/audit-log?project_id=${projectId}&limit=50`, {
            headers: dev.headers,
          });
          return !after.body.entries.some((e: { id: string }) => e.id === created.id) ? after : undefined;
        },
        10_000,
        'audit pruned',
      );
      const after = await s.request('GET', `/api/v1/audit-log?project_id=${projectId}&limit=50`, {
        headers: dev.headers,
      });
      expect(after.body.entries.map((e: { id: string }) => e.id).sort()).toEqual(
        entries
          .filter((e) => e.id !== created.id)
          .map((e) => e.id)
          .sort(),
      );
    } finally {
      await second.close();
    }
  });
});
