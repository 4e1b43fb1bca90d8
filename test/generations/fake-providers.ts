import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/**
 * Local servers speaking the protocols of Replicate's HTTP API (predictions) and OpenAI's
 * image edits, driven by the official clients pointed at them. Each records what it was asked
 * and can be told to fail the ways the real services do.
 */

export interface FakeServer {
  url: string;
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export const RESULT_COLOUR = { r: 10, g: 200, b: 120 };
export async function resultPng(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: RESULT_COLOUR } })
    .png()
    .toBuffer();
}

export interface ReplicateBehaviour {
  /** Answer this many creates with 503 first. */
  createFailures: number;
  /** How long a prediction stays "processing". */
  runMs: number;
  /** End predictions as failed with this error instead of succeeding. */
  failWith: string | null;
  /** Point the output at a URL that answers 404. */
  missingOutput: boolean;
  /** Never answer creates (a timeout). */
  hang: boolean;
  /**
   * A prediction created with a webhook: `send` calls it when the prediction completes, as
   * Replicate does (signed with the account's secret); `drop` never calls it (a webhook lost
   * on the way, say).
   */
  webhook: 'send' | 'drop';
  /** Calls the webhook this much later than the prediction completes (a slow delivery; polling may win). */
  webhookDelayMs: number;
}

/** One call of a webhook: what was sent and what Tollgate answered. */
export interface WebhookCall {
  url: string;
  predictionId: string;
  status: number;
}

export interface FakeReplicate extends FakeServer {
  behaviour: ReplicateBehaviour;
  /** Every create: the auth header, input and webhook settings it carried. */
  creates: Array<{
    auth: string | undefined;
    version: string | undefined;
    input: Record<string, unknown>;
    webhook?: string;
    webhook_events_filter?: string[];
    id?: string;
  }>;
  /** Output files fetched. */
  downloads: number;
  /** GET /v1/predictions/{id}: how often Tollgate polled. */
  polls: number;
  /** Every webhook call made. */
  webhookCalls: WebhookCall[];
  /** The account's webhook signing secret (GET /v1/webhooks/default/secret answers it). */
  secret: string;
  /** Standard Webhooks headers for `body`, signed with `secret` (or another), as Replicate sends them. */
  sign(body: string, opts?: { secret?: string; timestamp?: number; id?: string }): Record<string, string>;
  /** The prediction as Replicate reports it when done, for a webhook body. */
  finished(predictionId: string): Record<string, unknown>;
  /** Back to a well-behaved service with the given changes, and nothing recorded. */
  reset(b?: Partial<ReplicateBehaviour>): void;
}

export async function fakeReplicate(token: string, initial: Partial<ReplicateBehaviour> = {}): Promise<FakeReplicate> {
  const defaults: ReplicateBehaviour = {
    createFailures: 0,
    runMs: 100,
    failWith: null,
    missingOutput: false,
    hang: false,
    webhook: 'send',
    webhookDelayMs: 0,
  };
  const behaviour: ReplicateBehaviour = { ...defaults, ...initial };
  const creates: FakeReplicate['creates'] = [];
  const predictions = new Map<
    string,
    { created: number; failWith: string | null; missing: boolean; input: Record<string, unknown> }
  >();
  const png = await resultPng();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let n = 0;
  const sign = (body: string, opts: { secret?: string; timestamp?: number; id?: string } = {}) => {
    const id = opts.id ?? `msg_${randomBytes(8).toString('hex')}`;
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const key = Buffer.from((opts.secret ?? secret).split('_').pop()!, 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    return {
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
      'content-type': 'application/json',
    };
  };
  const finished = (id: string): Record<string, unknown> => {
    const p = predictions.get(id)!;
    const base = { id, version: 'abc123', input: p.input, logs: '', urls: { get: `${url}/v1/predictions/${id}` } };
    if (p.failWith) return { ...base, status: 'failed', output: null, error: p.failWith };
    return { ...base, status: 'succeeded', output: [`${url}/files/${p.missing ? 'missing' : id}.png`], error: null };
  };
  /** Replicate calls the webhook once the prediction completes (its filter holds "completed"). */
  const callWebhook = async (id: string, webhook: string) => {
    const body = JSON.stringify(finished(id));
    let status = 0;
    try {
      status = (await fetch(webhook, { method: 'POST', headers: sign(body), body })).status;
    } catch {
      status = -1;
    }
    fake.webhookCalls.push({ url: webhook, predictionId: id, status });
  };
  const { server, url } = await listen(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path.startsWith('/files/')) {
      fake.downloads++;
      if (path.endsWith('missing.png')) return json(res, 404, { detail: 'Not found' });
      return res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
    }
    if (req.headers.authorization !== `Bearer ${token}`)
      return json(res, 401, {
        title: 'Unauthenticated',
        detail: 'You did not pass a valid authentication token',
        status: 401,
      });
    if (req.method === 'GET' && path === '/v1/webhooks/default/secret') return json(res, 200, { key: secret });
    if (req.method === 'POST' && path === '/v1/predictions') {
      const body = JSON.parse((await readBody(req)).toString()) as {
        version?: string;
        input: Record<string, unknown>;
        webhook?: string;
        webhook_events_filter?: string[];
      };
      const entry: FakeReplicate['creates'][number] = {
        auth: req.headers.authorization,
        version: body.version,
        input: body.input,
        ...(body.webhook ? { webhook: body.webhook, webhook_events_filter: body.webhook_events_filter } : {}),
      };
      creates.push(entry);
      if (behaviour.hang) return; // never answered
      if (behaviour.createFailures > 0) {
        behaviour.createFailures--;
        return json(res, 503, { detail: 'Service Unavailable' });
      }
      const id = `p${++n}`;
      entry.id = id;
      predictions.set(id, {
        created: Date.now(),
        failWith: behaviour.failWith,
        missing: behaviour.missingOutput,
        input: body.input,
      });
      if (
        body.webhook &&
        behaviour.webhook === 'send' &&
        (body.webhook_events_filter ?? ['completed']).includes('completed')
      ) {
        const webhook = body.webhook;
        setTimeout(() => void callWebhook(id, webhook), behaviour.runMs + behaviour.webhookDelayMs).unref();
      }
      return json(res, 201, {
        id,
        status: 'starting',
        input: body.input,
        output: null,
        error: null,
        urls: { get: `${url}/v1/predictions/${id}`, cancel: `${url}/v1/predictions/${id}/cancel` },
      });
    }
    const m = /^\/v1\/predictions\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      fake.polls++;
      const p = predictions.get(m[1]!);
      if (!p) return json(res, 404, { detail: 'Not found' });
      const base = { id: m[1], urls: { get: `${url}/v1/predictions/${m[1]}` } };
      if (Date.now() - p.created < behaviour.runMs)
        return json(res, 200, { ...base, status: 'processing', output: null, error: null });
      if (p.failWith) return json(res, 200, { ...base, status: 'failed', output: null, error: p.failWith });
      return json(res, 200, {
        ...base,
        status: 'succeeded',
        output: [`${url}/files/${p.missing ? 'missing' : m[1]}.png`],
        error: null,
      });
    }
    json(res, 404, { detail: 'Not found' });
  });
  const fake: FakeReplicate = {
    url,
    behaviour,
    creates,
    downloads: 0,
    polls: 0,
    webhookCalls: [],
    secret,
    sign,
    finished,
    reset(b = {}) {
      Object.assign(behaviour, defaults, b);
      creates.length = 0;
      fake.downloads = 0;
      fake.polls = 0;
      fake.webhookCalls.length = 0;
    },
    close: () => closeServer(server),
  };
  return fake;
}

export interface OpenAIBehaviour {
  /** Answer with this status and an OpenAI error body instead of an image. */
  failStatus: number | null;
  /** Answer with a URL instead of b64_json. */
  asUrl: boolean;
  hang: boolean;
}

export interface FakeOpenAI extends FakeServer {
  behaviour: OpenAIBehaviour;
  edits: Array<{ auth: string | undefined; model: string; prompt: string; images: number }>;
}

export async function fakeOpenAI(apiKey: string, initial: Partial<OpenAIBehaviour> = {}): Promise<FakeOpenAI> {
  const behaviour: OpenAIBehaviour = { failStatus: null, asUrl: false, hang: false, ...initial };
  const edits: FakeOpenAI['edits'] = [];
  const png = await resultPng();
  const { server, url } = await listen(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/files/result.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return json(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    }
    if (req.method === 'POST' && path === '/v1/images/edits') {
      // Read the multipart form the official client sends.
      const form = await new Request('http://x', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type']! },
        body: new Uint8Array(await readBody(req)),
      }).formData();
      const images = [...form.getAll('image'), ...form.getAll('image[]')].length;
      edits.push({
        auth: req.headers.authorization,
        model: String(form.get('model')),
        prompt: String(form.get('prompt')),
        images,
      });
      if (behaviour.hang) return;
      if (behaviour.failStatus)
        return json(res, behaviour.failStatus, {
          error: { message: 'The server had an error', type: 'server_error', code: null },
        });
      return json(res, 200, {
        created: Math.floor(Date.now() / 1000),
        data: [behaviour.asUrl ? { url: `${url}/files/result.png` } : { b64_json: png.toString('base64') }],
      });
    }
    json(res, 404, { error: { message: 'Not found', type: 'invalid_request_error' } });
  });
  return { url, behaviour, edits, close: () => closeServer(server) };
}
