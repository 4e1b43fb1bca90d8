import http from 'node:http';
import https from 'node:https';
import Stripe from 'stripe';
import type { Config } from '../config.js';
import { BadRequest, UpstreamFailed } from '../core/errors.js';

/** Per-call options handed to each Stripe request: the share of the budget still left. */
export type CallOptions = () => Stripe.RequestOptions;

/**
 * The one way to Stripe: the official client pointed at `STRIPE_API_URL` (or Stripe), one
 * budget per operation for all its calls and their retries, and Stripe's failures turned
 * into errors that name Stripe. Lives in the context; `close()` drops its sockets.
 */
export interface StripeGateway {
  call<T>(secretKey: string, fn: (stripe: Stripe, opts: CallOptions) => Promise<T>): Promise<T>;
  close(): void;
}

const MAX_CLIENTS = 200;

export function createStripeGateway(config: Pick<Config, 'stripe'>): StripeGateway {
  const api = config.stripe.api;
  const agent = api?.protocol === 'http' ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true });
  const clients = new Map<string, Stripe>();

  const client = (secretKey: string): Stripe => {
    const hit = clients.get(secretKey);
    if (hit) return hit;
    const stripe = new Stripe(secretKey, {
      ...(api ? { host: api.host, port: api.port, protocol: api.protocol } : {}),
      httpAgent: agent,
      maxNetworkRetries: 1,
      timeout: config.stripe.timeoutMs,
      telemetry: false,
    });
    if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
    clients.set(secretKey, stripe);
    return stripe;
  };

  return {
    async call(secretKey, fn) {
      const deadline = Date.now() + config.stripe.timeoutMs;
      // Each attempt may use a bit under half of what is left, so a call and its one retry fit.
      const opts: CallOptions = () => ({ timeout: Math.max(50, Math.floor((deadline - Date.now()) * 0.45)) });
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(UpstreamFailed('Stripe', `no answer within ${config.stripe.timeoutMs / 1000} s`)),
          config.stripe.timeoutMs,
        );
      });
      try {
        return await Promise.race([fn(client(secretKey), opts), overdue]);
      } catch (err) {
        throw stripeFailure(err, config.stripe.timeoutMs);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      clients.clear();
      agent.destroy();
    },
  };
}

/**
 * A refusal of what the caller asked for (an unknown price, say) is the caller's 400, told in
 * Stripe's words; everything else Stripe does wrong (bad configured key, 5xx, no answer) is a 502.
 */
export function stripeFailure(err: unknown, timeoutMs: number): Error {
  if (!(err instanceof Stripe.errors.StripeError)) return err as Error;
  if (err instanceof Stripe.errors.StripeInvalidRequestError)
    return BadRequest('stripe_invalid_request', `Stripe refused the request: ${err.message}`);
  if (err instanceof Stripe.errors.StripeAuthenticationError)
    return UpstreamFailed('Stripe', "the project's Stripe API key was rejected");
  if (err instanceof Stripe.errors.StripeConnectionError)
    return UpstreamFailed('Stripe', `no answer within ${timeoutMs / 1000} s or connection failed`);
  return UpstreamFailed('Stripe', `request failed (${err.statusCode ?? err.type})`);
}

export { Stripe };
