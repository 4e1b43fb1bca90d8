import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';

/**
 * Where delivered software runs, reduced to one comparable form. Registered domains and the
 * runtime `X-Devpayr-Domain` header go through the same rules, so "HTTPS://Shop.Example.com:443/x"
 * and "shop.example.com" are the same identifier.
 */

const FINGERPRINT_RE = /^(fp_)?[0-9a-f]{32}$/;
const LABEL_RE = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.split('.');
  if (labels.length < 2 && host !== 'localhost') return false;
  if (!labels.every((l) => LABEL_RE.test(l))) return false;
  // An all-numeric last label would make "1.2.3" pass as a host name while it is a broken IP.
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

interface Parsed {
  /** Lower-case host; IPv6 in brackets. */
  host: string;
  port: string | null;
  hadSchemeOrPath: boolean;
}

/** Splits "scheme://user@host:port/path?q" into host and port; null when no sensible host is left. */
function parse(raw: string): Parsed | null {
  let s = raw.trim().toLowerCase();
  if (!s) return null;
  let hadSchemeOrPath = false;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//.exec(s);
  if (scheme) {
    s = s.slice(scheme[0].length);
    hadSchemeOrPath = true;
  } else if (s.startsWith('//')) {
    s = s.slice(2);
    hadSchemeOrPath = true;
  }
  const end = s.search(/[/?#]/);
  if (end >= 0) {
    hadSchemeOrPath = hadSchemeOrPath || s.slice(end) !== '/';
    s = s.slice(0, end);
  }
  const at = s.lastIndexOf('@');
  if (at >= 0) s = s.slice(at + 1);
  if (!s) return null;

  let host: string;
  let port: string | null = null;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return null;
    const addr = s.slice(1, close);
    if (isIP(addr) !== 6) return null;
    const rest = s.slice(close + 1);
    if (rest) {
      if (!/^:[0-9]{1,5}$/.test(rest)) return null;
      port = rest.slice(1);
    }
    host = `[${addr}]`;
  } else if (isIP(s) === 6) {
    host = `[${s}]`;
  } else {
    const colon = s.lastIndexOf(':');
    if (colon >= 0) {
      port = s.slice(colon + 1);
      s = s.slice(0, colon);
      if (!/^[0-9]{1,5}$/.test(port)) return null;
    }
    s = s.replace(/\.$/, '');
    if (isIP(s) === 4) host = s;
    else {
      const ascii = domainToASCII(s);
      if (!ascii || !isHostName(ascii)) return null;
      host = ascii;
    }
  }
  if (port !== null && Number(port) > 65535) return null;
  return { host, port, hadSchemeOrPath };
}

/**
 * The runtime identifier in canonical form: trimmed, lower-case, without scheme, userinfo,
 * path, query or port (IPv6 stays in brackets), or the fingerprint itself. Null for empty or
 * unparseable input.
 */
export function normalizeIdentifier(raw: string): string | null {
  const t = raw.trim().toLowerCase();
  if (FINGERPRINT_RE.test(t)) return t;
  return parse(t)?.host ?? null;
}

/** The host part of a stored domain ("localhost:3000" -> "localhost"), for comparing with identifiers. */
export function hostOfDomain(domain: string): string {
  return parse(domain)?.host ?? domain;
}

/**
 * The registrable base a host belongs to, for max_domains / max_subdomains_per_domain: one
 * label below its public suffix on the Public Suffix List (tldts), private suffixes included,
 * so shop.example.co.uk -> example.co.uk and a.vercel.app, b.vercel.app are two bases: each
 * is a different customer's site. A host that is itself a suffix ("vercel.app"), an IP,
 * localhost or a fingerprint is its own base.
 */
export function baseDomainOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (FINGERPRINT_RE.test(h) || h.startsWith('[') || isIP(h) !== 0 || h === 'localhost') return h;
  return getDomain(h, { allowPrivateDomains: true, extractHostname: false }) ?? h;
}

export type DomainInputResult = { ok: true; domain: string } | { ok: false; message: string };

/**
 * The Domain create/update rule of specs/devpayr.md: a host name, `localhost[:port]`,
 * `IPv4[:port]` or `[IPv6][:port]`; no wildcards, no scheme or path. The stored form is
 * lower-case with the port kept (a port is part of what the vendor registered).
 */
export function validateDomainInput(raw: string): DomainInputResult {
  const invalid = {
    ok: false as const,
    message: 'The domain must be a valid host name, localhost, IPv4 or [IPv6] address, with an optional port.',
  };
  const s = raw.trim();
  if (!s) return { ok: false, message: 'The domain field is required.' };
  if (s.includes('*')) return { ok: false, message: 'The domain may not contain wildcards.' };
  if (s.length > 255) return { ok: false, message: 'The domain may not be greater than 255 characters.' };
  const p = parse(s);
  if (!p || p.hadSchemeOrPath || s.includes('@')) return invalid;
  const hostIsAddress = p.host === 'localhost' || p.host.startsWith('[') || isIP(p.host) === 4;
  if (p.port !== null && !hostIsAddress) return invalid;
  return { ok: true, domain: p.port === null ? p.host : `${p.host}:${p.port}` };
}
