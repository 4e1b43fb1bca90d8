import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toConfig } from '../../src/config.js';
import { startServer, type TestServer } from '../support/harness.js';

/** A raw TCP client: what it received, and when the server closed the socket (ms after connect). */
function rawClient(url: string) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const started = Date.now();
  let received = '';
  let closedAfter: number | null = null;
  socket.on('data', (d) => (received += d.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      closedAfter = Date.now() - started;
      resolve(closedAfter);
    }),
  );
  return {
    socket,
    closed,
    get received() {
      return received;
    },
    get isClosed() {
      return closedAfter !== null;
    },
    statuses: () => [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])),
    write: (s: string) => (socket.destroyed ? false : socket.write(s)),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('socket limits: slow and idle clients are cut off, keep-alive clients are not', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite', {
      env: {
        HTTP_HEADERS_TIMEOUT_SECONDS: '1',
        HTTP_REQUEST_TIMEOUT_SECONDS: '2',
        HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '3',
      },
    });
  });
  afterAll(async () => s?.close());

  it('cuts off a slowloris client that trickles header lines and never finishes them', async () => {
    const c = rawClient(s.url);
    c.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
    // One more header line every 200 ms, for up to 15 s: the socket is never idle.
    for (let i = 0; i < 75 && !c.isClosed; i++) {
      c.write(`X-Slow-${i}: ${'a'.repeat(10)}\r\n`);
      await sleep(200);
    }
    expect(c.isClosed).toBe(true);
    // Closed on the headers timeout (1 s, checked every 500 ms), far before the trickle ended.
    expect(await c.closed).toBeLessThan(10_000);
    expect(c.statuses().filter((x) => x === 200)).toEqual([]);
  });

  it('cuts off a client that connects and sends nothing', async () => {
    const c = rawClient(s.url);
    const after = await Promise.race([c.closed, sleep(10_000).then(() => -1)]);
    expect(after).toBeGreaterThan(0);
    expect(c.statuses().filter((x) => x === 200)).toEqual([]);
  });

  it('cuts off a body sent a byte at a time beyond the request timeout', async () => {
    const c = rawClient(s.url);
    c.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n',
    );
    for (let i = 0; i < 60 && !c.isClosed; i++) {
      c.write(' ');
      await sleep(200);
    }
    expect(c.isClosed).toBe(true);
    expect(c.statuses().filter((x) => x < 400)).toEqual([]);
  });

  it('keeps a normal keep-alive client: requests on one socket spaced beyond the header and request timeouts', async () => {
    const c = rawClient(s.url);
    for (let i = 0; i < 3; i++) {
      c.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
      for (let wait = 0; wait < 50 && c.statuses().length < i + 1; wait++) await sleep(50);
      // Idle 1.5 s between requests: longer than the 1 s headers timeout, shorter than keep-alive.
      await sleep(1500);
    }
    expect(c.statuses()).toEqual([200, 200, 200]);
    expect(c.isClosed).toBe(false);
    // Then idle past the 3 s keep-alive timeout: closed by the server.
    const after = await Promise.race([c.closed, sleep(10_000).then(() => -1)]);
    expect(after).toBeGreaterThan(0);
  });
});

describe('socket limit configuration', () => {
  it('has documented defaults and refuses a headers timeout longer than the request timeout', () => {
    expect(toConfig({}).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
    });
    expect(() => toConfig({ HTTP_HEADERS_TIMEOUT_SECONDS: '40' })).toThrow(/may not exceed/);
    expect(() => toConfig({ HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '0' })).toThrow(/integer >= 1/);
  });
});
