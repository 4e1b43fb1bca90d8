import { hash, sign } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { parseDictionary } from 'structured-headers';
import type { SigningKey } from './key-pair.js';

/**
 * Signed answers: RFC 9421 HTTP Message Signatures over an answer, bound to the request it
 * answers (method, path, query, license key) and to the client's nonce, with the body
 * covered by its RFC 9530 Content-Digest. A client asks for one with Accept-Signature
 * (RFC 9421 §5.1), e.g. `sig1=("@status" "content-digest");nonce="..."`; it gets at least
 * those components, under its label.
 */

/** What the client asked for: the label to sign under and its nonce. */
export interface SignatureAsk {
  label: string;
  nonce: string | null;
}

/** The label and nonce used when Accept-Signature could not be read (its 400 is signed too). */
export const DEFAULT_ASK: SignatureAsk = { label: 'sig1', nonce: null };
const MAX_NONCE = 256;

/** The first member of an Accept-Signature dictionary, or null when it is not one (or its nonce is not a short string). */
export function parseAcceptSignature(value: string): SignatureAsk | null {
  let members: ReturnType<typeof parseDictionary>;
  try {
    members = parseDictionary(value);
  } catch {
    return null;
  }
  const first = members.entries().next();
  if (first.done) return null;
  const [label, [, params]] = first.value;
  const nonce = params.get('nonce');
  if (nonce === undefined) return { label, nonce: null };
  if (typeof nonce !== 'string' || nonce === '' || nonce.length > MAX_NONCE) return null;
  return { label, nonce };
}

/** The answer and the request it answers, as signed. */
export interface Answer {
  status: number;
  body: Buffer;
  method: string;
  /** The request target as received: path and query. */
  url: string;
  /** The X-LICENSE-KEY header the request sent, if any: the signature then covers it. */
  licenseKey: string | null;
}

export type SignatureHeaders = {
  'content-digest': string;
  'signature-input': string;
  signature: string;
};

export function contentDigest(body: Buffer): string {
  return `sha-256=:${hash('sha256', body, 'base64')}:`;
}

const COMPONENTS = ['@status', 'content-digest', '@method;req', '@path;req', '@query;req'];
const WITH_KEY = [...COMPONENTS, 'x-license-key;req'];
/** Only the path and query of the target are signed: the host is a placeholder. */
const BASE = 'http://tollgate.invalid';

export async function signAnswer(
  answer: Answer,
  ask: SignatureAsk,
  key: SigningKey,
  now: Date,
): Promise<SignatureHeaders> {
  const digest = contentDigest(answer.body);
  const signed = await httpbis.signMessage(
    {
      key: { id: key.kid, alg: 'ed25519', sign: async (data: Buffer) => sign(null, data, key.privateKey) },
      name: ask.label,
      fields: answer.licenseKey === null ? COMPONENTS : WITH_KEY,
      params: ['created', 'keyid', 'alg', 'nonce'],
      paramValues: { created: now, ...(ask.nonce === null ? {} : { nonce: ask.nonce }) },
    },
    { status: answer.status, headers: { 'content-digest': digest } as Record<string, string | string[]> },
    {
      method: answer.method,
      url: new URL(answer.url, BASE),
      headers: answer.licenseKey === null ? {} : { 'x-license-key': answer.licenseKey },
    },
  );
  return {
    'content-digest': digest,
    'signature-input': String(signed.headers['Signature-Input']),
    signature: String(signed.headers.Signature),
  };
}
