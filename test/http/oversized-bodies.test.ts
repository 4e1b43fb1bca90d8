import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { image, seedProjectUser, type SeededEndUser } from '../generations/fixtures.js';
import { seedTenant, type Tenant } from '../devpayr/licenses-fixtures.js';

/**
 * A body answered before it has all arrived (413 too large, 401 before a big upload): the
 * client reads the answer, in its face's format, with `Connection: close`, and never a reset
 * (src/http/early-answer.ts). SQLite only: the database plays no part.
 */
const MB = 1024 * 1024;
const BIG = Buffer.alloc(50 * MB, 0x20);

let s: TestServer;
let dev: SeededDeveloper;
let endUser: SeededEndUser;
let tenant: Tenant;
let png: Buffer;
beforeAll(async () => {
  tenant = await seedTenant((s = await startServer('sqlite', { env: { GENERATION_CONCURRENCY: '0' } })));
  dev = await seedDeveloper(s.ctx, { tier: 'cloud_premium' });
  endUser = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
  png = await image();
});
afterAll(() => s.close());

const DEVPAYR_413 = { status: 'error', message: 'Request body is too large.', data: null, errors: null };
const DEVKIT_413 = { detail: 'Request body is too large.' };

interface RawAnswer {
  head: string;
  body: string;
  error: string | null;
}

/**
 * A client that sends its whole body before it reads anything, as Python's requests does:
 * the answer sits unread until the last byte is written.
 */
function sendAllThenRead(urlPath: string, headers: Record<string, string>, size: number): Promise<RawAnswer> {
  const { port } = new URL(s.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | null = null;
    socket.pause();
    socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const at = text.indexOf('\r\n\r\n');
      resolve({ head: at < 0 ? text : text.slice(0, at), body: at < 0 ? '' : text.slice(at + 4), error });
    });
    const head = [
      `POST ${urlPath} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${size}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    socket.write(BIG.subarray(0, size), () => socket.resume());
  });
}

it('a client that reads only after sending 20 MB reads the 413 of either face, not a reset', async () => {
  for (const [urlPath, headers, answer] of [
    ['/api/v1/project', dev.apiKeyHeaders, DEVPAYR_413],
    ['/api/v1/projects/', dev.headers, DEVKIT_413],
  ] as const) {
    const r = await sendAllThenRead(urlPath, headers, 20 * MB);
    expect(r.error, urlPath).toBeNull();
    expect(r.head, urlPath).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.head.toLowerCase(), urlPath).toContain('connection: close');
    expect(JSON.parse(r.body), urlPath).toEqual(answer);
  }
});

it('a client still sending after the bound is cut off: the drain is bounded', async () => {
  const { DRAIN_MAX_BYTES } = await import('../../src/http/early-answer.js');
  const { port } = new URL(s.url);
  // Half-open: it goes on sending after the server has ended its side (a plain socket would stop).
  const socket = net.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  let answer = '';
  socket.on('data', (c: Buffer) => (answer += c.toString()));
  socket.write(
    `POST /api/v1/project HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${4 * DRAIN_MAX_BYTES}\r\nX-API-KEY: ${dev.apiKeyHeaders['x-api-key']}\r\n\r\n`,
  );
  // Keep sending past the bound; the server closes the connection instead of reading on.
  let sent = 0;
  while (!socket.destroyed && sent < 3 * DRAIN_MAX_BYTES) {
    const ok = socket.write(BIG.subarray(0, 4 * MB));
    sent += 4 * MB;
    if (!ok) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
  }
  await closed;
  expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  expect(sent).toBeLessThan(3 * DRAIN_MAX_BYTES);
});

type Send = () => Promise<Response>;

interface Case {
  what: string;
  status: number;
  /** Answered before the body has all arrived, so the answer closes the connection. */
  early: boolean;
  send: Send;
}

/**
 * Requests of 5 to 50 MB to both faces and both upload routes: refused for their size, or for
 * their credential before a byte of the body is read; one upload read whole and refused after.
 */
function requests(i: number): Case[] {
  const size = (5 + ((i * 17) % 46)) * MB;
  // A stream (as a proxying client sends, chunked) on most rounds, a whole buffer on every fourth.
  const json =
    (urlPath: string, headers: Record<string, string>): Send =>
    () =>
      fetch(s.url + urlPath, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: i % 4 ? streamOf(size) : BIG.subarray(0, size),
        duplex: 'half',
      } as RequestInit);
  // Multipart: a browser's FormData, whole, for the uploads read to their end; streamed for the refused ones.
  const upload =
    (
      urlPath: string,
      headers: Record<string, string>,
      field: string,
      fields: Record<string, string>,
      whole: boolean,
    ): Send =>
    () => {
      if (whole) {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        form.append(
          field,
          new Blob([new Uint8Array(png), new Uint8Array(BIG.buffer, BIG.byteOffset, size - png.length)], {
            type: 'image/png',
          }),
          'big.png',
        );
        return fetch(s.url + urlPath, { method: 'POST', headers, body: form });
      }
      const head = Object.entries(fields)
        .map(([k, v]) => `--B\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
        .join('');
      const body = streamOf(
        size,
        Buffer.from(
          `${head}--B\r\nContent-Disposition: form-data; name="${field}"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
        ),
      );
      return fetch(s.url + urlPath, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'multipart/form-data; boundary=B' },
        body,
        duplex: 'half',
      } as RequestInit);
    };
  const generation = (headers: Record<string, string>, whole = false) =>
    upload('/api/v1/generation/generate-v2', headers, 'files', { instructions: 'x' }, whole);
  const injectable = (headers: Record<string, string>, whole = false) =>
    upload(
      `/api/v1/project/${tenant.projectId}/injectables`,
      headers,
      'file',
      { type: 'file', mode: 'write', secret: 'correct-horse-battery' },
      whole,
    );
  const noToken = { ...endUser.headers, authorization: 'Bearer nope' };
  return [
    { what: 'devpayr JSON', status: 413, early: true, send: json('/api/v1/project', dev.apiKeyHeaders) },
    { what: 'devkit JSON', status: 413, early: true, send: json('/api/v1/projects/', dev.headers) },
    { what: 'devpayr JSON without a key', status: 401, early: true, send: json('/api/v1/project', {}) },
    { what: 'generation upload with a bad token', status: 401, early: true, send: generation(noToken) },
    { what: 'devpayr injectable upload without a key', status: 401, early: true, send: injectable({}) },
    // An upload route reads a body it accepts to its end (bounded by its limits), then answers.
    ...(i === 1
      ? [{ what: 'generation upload', status: 413, early: false, send: generation(endUser.headers, true) }]
      : []),
  ];
}

/** `size` bytes as a stream, 1 MB at a time, after `head` if given. */
function streamOf(size: number, head?: Buffer): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    start(controller) {
      if (head) controller.enqueue(new Uint8Array(head));
    },
    pull(controller) {
      if (sent >= size) return controller.close();
      const n = Math.min(MB, size - sent);
      controller.enqueue(new Uint8Array(BIG.buffer, BIG.byteOffset, n));
      sent += n;
    },
  });
}

/** curl uploading `size` bytes: from a file (with Content-Length), or piped in (chunked). */
function curl(
  urlPath: string,
  headers: Record<string, string>,
  size: number,
  file: string | null,
): Promise<{ status: string; error: string | null }> {
  const args = [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-X',
    'POST',
    '-H',
    'content-type: application/json',
    '-T',
    file ?? '-',
  ];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  return new Promise((resolve) => {
    const child = execFile('curl', [...args, s.url + urlPath], (err, stdout, stderr) =>
      resolve({ status: stdout.trim(), error: err ? stderr.trim() || err.message : null }),
    );
    child.stdin!.on('error', () => {}); // curl stops reading once it has the answer
    child.stdin!.end(file ? undefined : BIG.subarray(0, size));
  });
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, command)));
}

it('fetch and curl sending 5–50 MB, 50 times: every one reads its answer, none is reset', async () => {
  const failures: string[] = [];
  let sent = 0;
  const runs = onPath('curl') ? 40 : 50;
  for (let i = 0; sent < runs; i++) {
    for (const { what, status, early, send } of requests(i)) {
      sent++;
      try {
        const res = await send();
        const body = await res.json();
        if (res.status !== status) failures.push(`${what} #${i}: ${res.status} ${JSON.stringify(body)}`);
        if (early && res.headers.get('connection') !== 'close')
          failures.push(`${what} #${i}: connection ${res.headers.get('connection')}`);
      } catch (err) {
        failures.push(`${what} #${i}: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`);
      }
    }
  }
  if (runs === 40) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-curl-')), 'body.json');
    fs.writeFileSync(file, BIG);
    try {
      for (let i = 0; i < 10; i++) {
        const [urlPath, headers] = i % 2 ? ['/api/v1/project', dev.apiKeyHeaders] : ['/api/v1/projects/', dev.headers];
        const size = (5 + ((i * 23) % 46)) * MB;
        const r = await curl(urlPath, headers, size, i < 3 ? file : null);
        sent++;
        if (r.error || r.status !== '413') failures.push(`curl ${urlPath} #${i}: ${r.status} ${r.error}`);
      }
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }
  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(50);
}, 60_000);
