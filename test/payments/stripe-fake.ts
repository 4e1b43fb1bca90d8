import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * A local server speaking the part of Stripe's REST API Tollgate uses (customers, checkout
 * sessions, billing portal sessions, subscriptions, balance), for the real `stripe` client to
 * talk to. Objects belong to the secret key (the account) that created them, as on Stripe.
 * Faults can be switched on: every answer a 5xx, or no answer at all.
 */

export const PRICES: Record<string, { nickname: string; amount: number }> = {
  price_basic: { nickname: 'Basic Plan', amount: 999 },
  price_pro: { nickname: 'Pro Plan', amount: 2999 },
};

type Obj = Record<string, any>;
interface Owned {
  account: string;
  obj: Obj;
}
export interface SeenRequest {
  method: string;
  path: string;
  account: string;
  body: Obj;
  idempotencyKey: string | undefined;
  /** Stripe's clock (unix seconds) when it answered: the second of its `Date` header. */
  answeredAt?: number;
}

const id = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;

/** Stripe's form encoding: `a[b][0][c]=v` into nested objects and arrays. */
export function parseForm(text: string): Obj {
  const out: Obj = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const parts = rawKey.replace(/\]/g, '').split('[');
    let node: any = out;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]!);
      if (last) node[part] = value;
      else node = node[part] ??= nextIsIndex ? [] : {};
    });
  }
  return out;
}

export class FakeStripe {
  readonly accounts = new Set<string>();
  readonly requests: SeenRequest[] = [];
  fault: 'none' | 'error500' | 'hang' = 'none';
  /** Which request paths the fault hits (all by default). */
  faultPath: RegExp = /./;
  /**
   * How far Stripe's clock reads ahead of ours: its answers' `Date` header and the times it
   * stamps. A second of skew is how a test meets, every time, what happens now and then when a
   * call straddles a second boundary.
   */
  skewMs = 0;
  /** Runs while Stripe is working on a matching request, before it answers (a webhook arriving meanwhile, say). */
  meanwhile: { method: string; path: RegExp; run: (request: SeenRequest) => Promise<void> } | null = null;
  private readonly customers = new Map<string, Owned>();
  private readonly sessions = new Map<string, Owned>();
  private readonly subscriptions = new Map<string, Owned>();
  private readonly idempotent = new Map<string, { status: number; body: Obj }>();
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => void this.handle(req, res, body));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** A Stripe account: its secret key is accepted from now on. */
  account(label = 'acct'): string {
    const key = `sk_test_${label}${randomBytes(12).toString('hex')}`;
    this.accounts.add(key);
    return key;
  }

  calls(path: RegExp, method?: string): SeenRequest[] {
    return this.requests.filter((r) => path.test(r.path) && (!method || r.method === method));
  }

  session(sessionId: string): Obj | undefined {
    return this.sessions.get(sessionId)?.obj;
  }

  /** Stripe's clock, in unix seconds. */
  nowSeconds(): number {
    return Math.floor((Date.now() + this.skewMs) / 1000);
  }

  subscription(subscriptionId: string): Obj | undefined {
    return this.subscriptions.get(subscriptionId)?.obj;
  }

  /**
   * The customer pays on Stripe's checkout page: the session completes, a subscription
   * starts and its first invoice is paid. Returns the objects the webhook events carry.
   */
  completeCheckout(sessionId: string): { session: Obj; subscription: Obj; invoice: Obj } {
    const owned = this.sessions.get(sessionId);
    if (!owned) throw new Error(`no session ${sessionId}`);
    const s = owned.obj;
    const line = s.line_items[0];
    const start = this.nowSeconds();
    const subscription: Obj = {
      id: id('sub'),
      object: 'subscription',
      customer: s.customer,
      status: 'active',
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      created: start,
      metadata: s.subscription_data?.metadata ?? {},
      items: { object: 'list', data: [this.item(line.price, Number(line.quantity ?? 1), start)] },
    };
    this.subscriptions.set(subscription.id, { account: owned.account, obj: subscription });
    Object.assign(s, { status: 'complete', payment_status: 'paid', subscription: subscription.id });
    return {
      session: structuredClone(s),
      subscription: structuredClone(subscription),
      invoice: this.invoice(subscription),
    };
  }

  /** An invoice of the subscription as it now stands. */
  invoice(subscription: Obj): Obj {
    const item = subscription.items.data[0];
    const amount = item.price.unit_amount * item.quantity;
    return {
      id: id('in'),
      object: 'invoice',
      customer: subscription.customer,
      currency: 'usd',
      amount_due: amount,
      amount_paid: amount,
      description: null,
      parent: {
        type: 'subscription_details',
        subscription_details: { subscription: subscription.id, metadata: subscription.metadata },
      },
      payments: { object: 'list', data: [{ payment: { type: 'payment_intent', payment_intent: id('pi') } }] },
      lines: {
        object: 'list',
        data: [
          {
            description: `1 × ${item.price.nickname}`,
            quantity: item.quantity,
            period: { start: item.current_period_start, end: item.current_period_end },
          },
        ],
      },
    };
  }

  private item(priceId: string, quantity: number, start: number): Obj {
    const p = PRICES[priceId]!;
    return {
      id: id('si'),
      object: 'subscription_item',
      price: { id: priceId, object: 'price', nickname: p.nickname, unit_amount: p.amount, currency: 'usd' },
      quantity,
      current_period_start: start,
      current_period_end: start + 30 * 86400,
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const body = req.method === 'GET' || req.method === 'DELETE' ? parseForm(url.search.slice(1)) : parseForm(raw);
    const idem = req.headers['idempotency-key'] as string | undefined;
    const seen: SeenRequest = { method: req.method!, path: url.pathname, account: auth, body, idempotencyKey: idem };
    this.requests.push(seen);
    const hook = this.meanwhile;
    if (hook && hook.method === seen.method && hook.path.test(seen.path)) await hook.run(seen);
    const faulty = this.faultPath.test(url.pathname);
    if (faulty && this.fault === 'hang') return; // never answers; stop() drops the socket
    const send = (status: number, payload: Obj) => {
      const date = new Date(Date.now() + this.skewMs);
      seen.answeredAt = Math.floor(date.getTime() / 1000);
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), date: date.toUTCString() });
      res.end(JSON.stringify(payload));
    };
    if (faulty && this.fault === 'error500')
      return send(500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
    if (!this.accounts.has(auth)) {
      return send(401, {
        error: {
          type: 'invalid_request_error',
          message: `Invalid API key provided: ${auth.slice(0, 8)}****${auth.slice(-4)}`,
        },
      });
    }
    const memo = idem && req.method === 'POST' ? `${auth}:${idem}` : null;
    if (memo && this.idempotent.has(memo)) {
      const hit = this.idempotent.get(memo)!;
      return send(hit.status, hit.body);
    }
    const [status, payload] = this.route(req.method!, url.pathname, body, auth);
    if (memo && status < 500) this.idempotent.set(memo, { status, body: payload });
    send(status, payload);
  }

  private route(method: string, path: string, body: Obj, account: string): [number, Obj] {
    const missing = (what: string, ident: string): [number, Obj] => [
      404,
      {
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No such ${what}: '${ident}'`,
          param: 'id',
        },
      },
    ];
    const mine = (map: Map<string, Owned>, ident: string) => {
      const o = map.get(ident);
      return o && o.account === account ? o.obj : undefined;
    };
    if (method === 'GET' && path === '/v1/balance') {
      return [200, { object: 'balance', available: [{ amount: 0, currency: 'usd' }], pending: [], livemode: false }];
    }
    if (method === 'POST' && path === '/v1/customers') {
      const c = {
        id: id('cus'),
        object: 'customer',
        email: body.email ?? null,
        name: body.name ?? null,
        metadata: body.metadata ?? {},
      };
      this.customers.set(c.id, { account, obj: c });
      return [200, c];
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      if (!mine(this.customers, body.customer)) return missing('customer', body.customer);
      const price = body.line_items?.[0]?.price;
      if (!PRICES[price])
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              message: `No such price: '${price}'`,
              param: 'line_items[0][price]',
            },
          },
        ];
      const sid = id('cs_test');
      const s = {
        id: sid,
        object: 'checkout.session',
        url: `https://checkout.stripe.test/c/pay/${sid}`,
        mode: body.mode,
        customer: body.customer,
        client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {},
        subscription_data: body.subscription_data,
        line_items: body.line_items,
        success_url: body.success_url,
        cancel_url: body.cancel_url,
        status: 'open',
        payment_status: 'unpaid',
        subscription: null,
        amount_total: PRICES[price]!.amount * Number(body.line_items[0].quantity ?? 1),
        currency: 'usd',
      };
      this.sessions.set(sid, { account, obj: s });
      const { line_items: _l, subscription_data: _d, ...wire } = s;
      return [200, wire];
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      if (!mine(this.customers, body.customer)) return missing('customer', body.customer);
      const bps = id('bps');
      return [
        200,
        {
          id: bps,
          object: 'billing_portal.session',
          customer: body.customer,
          return_url: body.return_url,
          url: `https://billing.stripe.test/p/session/${bps}`,
        },
      ];
    }
    const subMatch = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (subMatch) {
      const sub = mine(this.subscriptions, subMatch[1]!);
      if (!sub) return missing('subscription', subMatch[1]!);
      if (method === 'GET') return [200, sub];
      if (method === 'DELETE') {
        Object.assign(sub, { status: 'canceled', canceled_at: this.nowSeconds(), ended_at: this.nowSeconds() });
        return [200, sub];
      }
      if (method === 'POST') {
        if (sub.status === 'canceled')
          return [
            400,
            {
              error: {
                type: 'invalid_request_error',
                message: 'A canceled subscription can only update its cancellation_details and metadata.',
              },
            },
          ];
        if (body.items?.[0]) {
          const price = body.items[0].price;
          if (!PRICES[price])
            return [
              400,
              {
                error: {
                  type: 'invalid_request_error',
                  code: 'resource_missing',
                  message: `No such price: '${price}'`,
                  param: 'items[0][price]',
                },
              },
            ];
          const old = sub.items.data[0];
          if (body.items[0].id !== old.id) return missing('subscription item', body.items[0].id);
          sub.items.data[0] = {
            ...this.item(price, old.quantity, old.current_period_start),
            id: old.id,
            current_period_end: old.current_period_end,
          };
          sub.last_proration_behavior = body.proration_behavior;
        }
        if (body.cancel_at_period_end === 'true') {
          Object.assign(sub, {
            cancel_at_period_end: true,
            cancel_at: sub.items.data[0].current_period_end,
            canceled_at: this.nowSeconds(),
          });
        }
        return [200, sub];
      }
    }
    return [
      404,
      { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } },
    ];
  }
}
