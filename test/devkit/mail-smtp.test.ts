import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedOperator, uniqueEmail } from '../support/seed.js';

interface Received {
  from: string;
  to: string[];
  data: string;
}

/** A real SMTP server on loopback that keeps what it is sent. */
async function smtpReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The messages to `to`, once `count` of them have arrived (delivery runs in the background). */
async function arrived(smtp: { received: Received[] }, to: string, count = 1): Promise<Received[]> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const mails = smtp.received.filter((m) => m.to.includes(to));
    if (mails.length >= count) return mails;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${count} mail(s) to ${to} arrived`);
}

/** The body of a message as sent: quoted-printable soft breaks joined again. */
const bodyText = (data: string) => data.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

describe('verification mail over real SMTP (SMTP_URL set)', () => {
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  let s: TestServer;

  beforeAll(async () => {
    smtp = await smtpReceiver();
    s = await startServer('sqlite', {
      configuredMailer: true,
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Tollgate <accounts@tollgate.test>' },
    });
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('requires verification by default, delivers the code by SMTP, and the code activates the account once', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail('smtp');
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: op.headers,
      body: { email, password: PASSWORD },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.is_active).toBe(false);
    expect(await s.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).toMatchObject({
      status: 400,
      body: { detail: 'Account not activated' },
    });

    const [mail] = await arrived(smtp, email);
    expect(mail!.from).toBe('accounts@tollgate.test');
    expect(mail!.data).toMatch(/^Subject: Verify your email address/m);
    const token = /Your verification code: (\S+)/.exec(bodyText(mail!.data))![1]!;

    expect(
      (
        await s.request('POST', '/api/v1/auth/verify-email', {
          body: { user_id: reg.body.id, verification_token: token },
        })
      ).status,
    ).toBe(200);
    expect((await s.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).status).toBe(200);
    expect(
      (
        await s.request('POST', '/api/v1/auth/verify-email', {
          body: { user_id: reg.body.id, verification_token: token },
        })
      ).status,
    ).toBe(400);
  });

  it('request-verification sends a fresh code by SMTP, and it works', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail('again');
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: op.headers,
      body: { email, password: PASSWORD },
    });
    expect(reg.status).toBe(201);
    expect((await s.request('POST', `/api/v1/auth/request-verification?user_id=${reg.body.id}`)).status).toBe(200);
    const mails = await arrived(smtp, email, 2);
    const fresh = /Your verification code: (\S+)/.exec(bodyText(mails[1]!.data))![1]!;
    expect(
      (
        await s.request('POST', '/api/v1/auth/verify-email', {
          body: { user_id: reg.body.id, verification_token: fresh },
        })
      ).status,
    ).toBe(200);
  });
});

describe('verification mail when the SMTP server cannot be reached', () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startServer('sqlite', {
      configuredMailer: true,
      env: { SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` },
    });
  });
  afterAll(async () => s?.close());

  it('still registers the account (nothing lost): the user can ask for the mail again later', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail('nomail');
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: op.headers,
      body: { email, password: PASSWORD },
    });
    expect(reg.status).toBe(201);
    const user = await s.ctx.db
      .selectFrom('users')
      .select(['is_active'])
      .where('id', '=', reg.body.id)
      .executeTakeFirst();
    expect(user).toEqual({ is_active: expect.anything() });
    expect(Boolean(user!.is_active)).toBe(false);
    expect((await s.request('POST', `/api/v1/auth/request-verification?user_id=${reg.body.id}`)).status).toBe(200);
  });
});

describe('verification mail when the SMTP server is slow', () => {
  let s: TestServer;
  let silent: net.Server;
  const open = new Set<net.Socket>();

  beforeAll(async () => {
    // Accepts connections and never says a word: an SMTP server stuck before its greeting.
    silent = net.createServer((socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    s = await startServer('sqlite', {
      configuredMailer: true,
      env: { SMTP_URL: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}` },
    });
  });
  afterAll(async () => {
    for (const socket of open) socket.destroy();
    await s?.close();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('answers registration and request-verification without waiting for it', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail('slow');
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: op.headers,
      body: { email, password: PASSWORD },
    });
    expect(reg.status).toBe(201);
    const again = await s.request('POST', `/api/v1/auth/request-verification?user_id=${reg.body.id}`);
    expect(again.status).toBe(200);
    // Both answers came while the mail server still had not greeted: the sends are in flight.
    await new Promise((r) => setTimeout(r, 50));
    expect(open.size).toBeGreaterThanOrEqual(1);
  });
});
