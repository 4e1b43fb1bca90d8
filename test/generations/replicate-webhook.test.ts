import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type DbKind, type TestServer } from '../support/harness.js';
import {
  eventually,
  image,
  postGeneration,
  replicateEnv,
  send,
  seedProjectUser,
  waitForEnd,
  type SeededEndUser,
} from './fixtures.js';
import { fakeReplicate, type FakeReplicate } from './fake-providers.js';

/**
 * Replicate's webhooks, with PUBLIC_URL set: the official client creates predictions with a
 * webhook to Tollgate, the local Replicate stand-in calls it signed as Replicate signs
 * (Standard Webhooks, the secret from GET /v1/webhooks/default/secret), and Tollgate polls
 * only when no webhook came in time. Whichever reports first, the generation completes once.
 */

const TOKEN = 'r8_webhook_token_0123456789';

/** The public address in front of Tollgate (a reverse proxy on loopback): PUBLIC_URL must be known before the server starts. */
async function frontDoor(): Promise<{ url: string; to(target: string): void; close(): Promise<void> }> {
  let target = '';
  const server = http.createServer((req, res) => {
    const up = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    to: (t) => void (target = t),
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

interface Setup {
  s: TestServer;
  door: Awaited<ReturnType<typeof frontDoor>>;
  u: SeededEndUser;
}

async function serve(kind: DbKind, fake: FakeReplicate, waitSeconds: number): Promise<Setup> {
  const door = await frontDoor();
  const s = await startServer(kind, {
    env: {
      ...replicateEnv(fake.url, TOKEN),
      REPLICATE_WEBHOOK_WAIT_SECONDS: String(waitSeconds),
      GENERATION_PROVIDER_TIMEOUT_SECONDS: '30',
      PUBLIC_URL: door.url,
    },
  });
  door.to(s.url);
  return { s, door, u: await seedProjectUser(s.ctx, { tier: 'cloud_premium' }) };
}

const statusOf = (id: string) => `/api/v1/generation/generations-v2/${id}/status`;
const hookPath = (id: string) => `/api/v1/generation/replicate-webhook/${id}`;

/** The generation completed exactly once: one event, one result file, one download of the output, nothing left on the row. */
async function completedOnce(s: TestServer, fake: FakeReplicate, id: string): Promise<void> {
  const row = await s.ctx.db
    .selectFrom('generations')
    .select(['status', 'provider_callback', 'result_key'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({ status: 'completed', provider_callback: null });
  const events = await s.ctx.db
    .selectFrom('events')
    .select('payload')
    .where('type', '=', 'generation.completed')
    .execute();
  expect(events.filter((e) => JSON.parse(e.payload).id === id)).toHaveLength(1);
  const files = fs
    .readdirSync(path.join(s.config.dataDir, 'blobs', 'generations', id))
    .filter((f) => f.startsWith('result-') && !f.endsWith('.type'));
  expect(files).toEqual([path.basename(row.result_key!)]);
  expect(fake.downloads).toBe(1);
}

forEachDatabase('generations: Replicate webhooks (PUBLIC_URL set)', (kind) => {
  let fake: FakeReplicate;
  /** Waits 30 s for the webhook before polling: within a test, only the webhook can finish a generation. */
  let patient: Setup;
  /** Polls once no webhook came within 1 s. */
  let impatient: Setup;

  beforeAll(async () => {
    fake = await fakeReplicate(TOKEN);
    patient = await serve(kind, fake, 30);
    impatient = await serve(kind, fake, 1);
  });
  afterAll(async () => {
    for (const x of [patient, impatient]) {
      await x?.s.close();
      await x?.door.close();
    }
    await fake?.close();
  });

  it('creates the prediction with a webhook to PUBLIC_URL for completed events; the webhook finishes it, with no polling', async () => {
    const { s, door, u } = patient;
    fake.reset({ runMs: 100 });
    const r = await postGeneration(s.url, u.headers, { images: [await image('jpeg', 3)], instructions: 'by webhook' });
    expect(r.status).toBe(200);
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body.status).toBe('completed');
    expect(fake.creates).toHaveLength(1);
    expect(fake.creates[0]).toMatchObject({
      webhook: door.url + hookPath(r.body.id),
      webhook_events_filter: ['completed'],
    });
    expect(fake.webhookCalls).toEqual([
      { url: door.url + hookPath(r.body.id), predictionId: expect.any(String), status: 200 },
    ]);
    expect(fake.polls).toBe(0);
    await completedOnce(s, fake, r.body.id);

    // Replicate delivers again (a retry): acknowledged, nothing changes.
    const body = JSON.stringify(fake.finished(fake.webhookCalls[0]!.predictionId));
    const again = await send(s.url, 'POST', hookPath(r.body.id), { headers: fake.sign(body), body });
    expect(again.status).toBe(200);
    // The prediction Replicate sends back carries its input: a 10 MB example image as a data URI is taken too.
    const large = JSON.stringify({
      ...fake.finished(fake.webhookCalls[0]!.predictionId),
      input: { prompt: 'x', image: `data:image/png;base64,${Buffer.alloc(10 * 1024 * 1024, 1).toString('base64')}` },
    });
    expect((await send(s.url, 'POST', hookPath(r.body.id), { headers: fake.sign(large), body: large })).status).toBe(
      200,
    );
    await completedOnce(s, fake, r.body.id);
  });

  it('a failed prediction reported by webhook fails the generation with the model’s error', async () => {
    const { s, u } = patient;
    fake.reset({ runMs: 100, failWith: 'NSFW content detected' });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'fail by webhook' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body).toMatchObject({
      status: 'failed',
      error: 'replicate: the prediction failed: NSFW content detected',
    });
    expect(fake.polls).toBe(0);
  });

  it('forged, unsigned, tampered and stale webhooks are refused with 400 and change nothing; the genuine one completes the generation', async () => {
    const { s, u } = patient;
    // A prediction that does not finish during the test and whose webhook Replicate never sends: only the test's calls can end it.
    fake.reset({ runMs: 600_000, webhook: 'drop' });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'forgeries' });
    const id = r.body.id as string;
    await eventually(
      'the job is running',
      async () => (await send(s.url, 'GET', statusOf(id), { headers: u.headers })).body.status === 'processing',
    );
    await eventually('the prediction was created', async () => Boolean(fake.creates[0]?.id));
    const predictionId = fake.creates[0]!.id!;
    const body = JSON.stringify(fake.finished(predictionId));
    const unchanged = async (label: string) => {
      const row = await s.ctx.db
        .selectFrom('generations')
        .select(['status', 'provider_callback', 'result_key'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row, label).toEqual({ status: 'processing', provider_callback: null, result_key: null });
    };

    const forgeries: Array<[string, Record<string, string>, string]> = [
      ['no signature headers', { 'content-type': 'application/json' }, body],
      [
        'signed with another secret',
        fake.sign(body, { secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` }),
        body,
      ],
      ['a signature of another body', fake.sign(body.replace('succeeded', 'failed')), body],
      ['a body changed after signing', fake.sign(body), body.replace(/files\/[^"]+/, 'files/evil.png')],
      ['a signature ten minutes old', fake.sign(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }), body],
      ['a timestamp that is no number', { ...fake.sign(body), 'webhook-timestamp': 'yesterday' }, body],
      ['a signature header of garbage', { ...fake.sign(body), 'webhook-signature': 'v1' }, body],
      ['an empty body', fake.sign(''), ''],
      // Signed, but not a prediction: bad input all the same.
      ['signed malformed JSON', fake.sign(body.slice(0, -1)), body.slice(0, -1)],
      ['a signed JSON array', fake.sign(`[${body}]`), `[${body}]`],
      ['a signed prediction without a status', fake.sign('{"id":"p1"}'), '{"id":"p1"}'],
    ];
    for (const [label, headers, sent] of forgeries) {
      const res = await send(s.url, 'POST', hookPath(id), { headers, body: sent });
      expect(res.status, label).toBe(400);
      expect(typeof res.body.detail, label).toBe('string');
      await unchanged(label);
    }
    // Signed, but about a generation that does not exist or is no id: acknowledged (Replicate need not retry), nothing written.
    for (const other of ['0190a1b2-0000-7000-8000-000000000000', 'not-an-id']) {
      expect((await send(s.url, 'POST', hookPath(other), { headers: fake.sign(body), body })).status).toBe(200);
    }
    await unchanged('after signed callbacks for other ids');

    const genuine = await send(s.url, 'POST', hookPath(id), { headers: fake.sign(body), body });
    expect(genuine.status).toBe(200);
    expect((await waitForEnd(s.url, statusOf(id), u.headers)).body.status).toBe('completed');
    await completedOnce(s, fake, id);
    expect(fake.polls).toBe(0);
  });

  it('refuses or acknowledges before reading the body when its headers or its generation make the body pointless', async () => {
    const { s } = patient;
    /** Sends the head of a 15 MB request and 64 KB of its body, then waits: the answer must come without the rest. */
    const early = (p: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
        const req = http.request(`${s.url}${p}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(15 * 1024 * 1024) },
        });
        let sent = 0;
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body, sent });
          });
        });
        req.on('error', (err) => (sent > 0 ? undefined : reject(err)));
        req.write(Buffer.alloc(64 * 1024, 'a'), () => (sent += 64 * 1024));
        setTimeout(() => reject(new Error('no answer without the rest of the body')), 10_000).unref();
      });
    const fresh = fake.sign('{}');
    const unknown = await early(hookPath('0190a1b2-0000-7000-8000-000000000001'), fresh);
    expect(unknown.status).toBe(200);
    expect(JSON.parse(unknown.body)).toEqual({ received: true });
    expect((await early(hookPath('not-an-id'), fresh)).status).toBe(200);
    const unsigned = await early(hookPath('0190a1b2-0000-7000-8000-000000000001'), {});
    expect(unsigned.status).toBe(400);
    expect(JSON.parse(unsigned.body).detail).toMatch(/webhook-signature/);
    const stale = await early(
      hookPath('0190a1b2-0000-7000-8000-000000000001'),
      fake.sign('{}', { timestamp: Math.floor(Date.now() / 1000) - 600 }),
    );
    expect(stale.status).toBe(400);
    // The server is still well.
    expect((await send(s.url, 'GET', '/api/v1/health')).status).toBe(200);
  });

  it('no webhook within REPLICATE_WEBHOOK_WAIT_SECONDS: it polls, and completes once', async () => {
    const { s, u } = impatient;
    fake.reset({ runMs: 100, webhook: 'drop' });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'webhook lost' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body.status).toBe('completed');
    expect(fake.creates[0]!.webhook).toBeTruthy();
    expect(fake.webhookCalls).toEqual([]);
    expect(fake.polls).toBeGreaterThan(0);
    await completedOnce(s, fake, r.body.id);
  });

  it('the poll wins and the webhook arrives after: acknowledged, and the generation still completed once', async () => {
    const { s, u } = impatient;
    fake.reset({ runMs: 100, webhookDelayMs: 2500 });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'poll first' });
    expect((await waitForEnd(s.url, statusOf(r.body.id), u.headers)).body.status).toBe('completed');
    await eventually('the late webhook was delivered', async () => fake.webhookCalls.length === 1);
    expect(fake.webhookCalls[0]!.status).toBe(200);
    expect(fake.polls).toBeGreaterThan(0);
    await completedOnce(s, fake, r.body.id);
  });

  it('webhook and poll report the end at about the same moment: completed once', async () => {
    const { s, u } = impatient;
    // Polling starts after 1 s and repeats every 100 ms; the prediction ends (and its webhook is sent) at 1.2 s.
    fake.reset({ runMs: 1200 });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'photo finish' });
    expect((await waitForEnd(s.url, statusOf(r.body.id), u.headers)).body.status).toBe('completed');
    await eventually('the webhook was delivered', async () => fake.webhookCalls.length === 1);
    expect(fake.webhookCalls[0]!.status).toBe(200);
    await completedOnce(s, fake, r.body.id);
  });
});

describe('generations: Replicate without PUBLIC_URL', () => {
  let fake: FakeReplicate;
  let s: TestServer;

  beforeAll(async () => {
    fake = await fakeReplicate(TOKEN);
    s = await startServer('sqlite', { env: replicateEnv(fake.url, TOKEN) });
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
  });

  it('creates predictions without a webhook and polls them; the webhook route does not exist here', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
    fake.reset({ runMs: 100 });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'polled' });
    expect((await waitForEnd(s.url, statusOf(r.body.id), u.headers)).body.status).toBe('completed');
    expect(fake.creates[0]!.webhook).toBeUndefined();
    expect(fake.polls).toBeGreaterThan(0);
    const body = JSON.stringify({ id: 'p1', status: 'succeeded' });
    expect((await send(s.url, 'POST', hookPath(r.body.id), { headers: fake.sign(body), body })).status).toBe(404);
  });
});
