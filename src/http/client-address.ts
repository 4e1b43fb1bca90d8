import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Config } from '../config.js';

/** Whether the hop at `address`, `i` hops from this server, may tell us who is behind it. */
export type TrustProxy = (address: string, i: number) => boolean;

/**
 * TRUST_PROXY as one trust function, handed to Fastify (request.ip) and used by the has-paid
 * fast lane, so both name the same client: `true` trusts every hop, a number trusts that
 * many hops nearest this server (Express's meaning; Fastify itself would trust none), an
 * address list (CIDRs, `loopback`, `linklocal`, `uniquelocal`) trusts those proxies. Off:
 * the socket's peer is the client and X-Forwarded-For is ignored.
 */
export function trustProxyFn(trust: Config['trustProxy']): TrustProxy | null {
  if (trust === false || trust === 0) return null;
  if (trust === true) return () => true;
  if (typeof trust === 'number') return (_address, i) => i < trust;
  return proxyAddr.compile(
    trust
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** The client's address as the router's request.ip gives it. */
export function clientAddress(req: IncomingMessage, trust: TrustProxy | null): string {
  return trust ? proxyAddr(req, trust) : (req.socket.remoteAddress ?? '');
}
