import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { eventually } from './receiver.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'whsec-readme-receiver-0123';

/** The Node receiver the README shows under "A receiver in Node", exactly as printed. */
function readmeReceiver(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('A receiver in Node');
  expect(at).toBeGreaterThan(0);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(block).not.toBeNull();
  return block![1]!;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The README's receiver, run as its own Node process (the `standardwebhooks` package from this
 * project's node_modules), receives a real delivery from Tollgate, verifies it, prints it and
 * answers 2xx; a forged request gets its 400.
 */
forEachDatabase("the README's webhook receiver", (kind) => {
  let s: TestServer;
  let dev: SeededDeveloper;
  let child: ChildProcess;
  let port: number;
  let dir: string;
  let output = '';

  beforeAll(async () => {
    const code = readmeReceiver();
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(10);
    // Inside the project, so that `import 'standardwebhooks'` resolves as it would in the reader's project.
    dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.readme-receiver-'));
    fs.writeFileSync(path.join(dir, 'receiver.mjs'), code);
    port = await freePort();
    child = spawn(process.execPath, [path.join(dir, 'receiver.mjs')], {
      env: { ...process.env, WEBHOOK_SECRET: SECRET, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await eventually(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
          socket.on('error', () => resolve(false));
        }),
      20_000,
      `the README receiver listening (${output})`,
    );
    s = await startServer(kind, { env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '50ms' } });
    dev = await seedDeveloper(s.ctx);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await s?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('verifies and acknowledges a real delivery, and refuses a forged one with 400', async () => {
    const project = await s.request('POST', '/api/v1/project', {
      headers: dev.apiKeyHeaders,
      body: { name: 'Read the README', webhook_url: `http://127.0.0.1:${port}/`, webhook_secret: SECRET },
    });
    expect(project.status, project.text).toBe(201);
    const projectId = project.body.data.id as string;
    const delivered = await eventually(
      async () => {
        const list = await s.request('GET', `/api/v1/project/${projectId}/webhook-deliveries`, {
          headers: dev.apiKeyHeaders,
        });
        const d = list.body.data.data[0];
        return d?.status === 'delivered' ? d : undefined;
      },
      15_000,
      'project.created delivered to the README receiver',
    );
    expect(delivered).toMatchObject({ event: 'project.created', last_status_code: 200, attempts: 1 });
    await eventually(async () => output.includes('project.created'), 5000, 'the receiver printing the event');
    expect(output).toContain(projectId);

    const shown = await s.request('GET', `/api/v1/project/${projectId}/webhook-deliveries/${delivered.id}`, {
      headers: dev.apiKeyHeaders,
    });
    expect(shown.body.data.attempts).toEqual([
      expect.objectContaining({ status_code: 200, response_body: 'ok', error: null }),
    ]);

    const forged = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: {
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,Zm9yZ2Vk',
      },
      body: JSON.stringify({ type: 'license.revoked', timestamp: new Date().toISOString(), data: {} }),
    });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toBe('bad signature');
  });
});
