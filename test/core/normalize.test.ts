import { describe, expect, it } from 'vitest';
import { baseDomainOf } from '../../src/core/domains/normalize.js';

describe('baseDomainOf: the registrable base on the Public Suffix List, private suffixes included', () => {
  it.each([
    ['example.com', 'example.com'],
    ['www.shop.example.com', 'example.com'],
    ['shop.example.co.uk', 'example.co.uk'],
    ['a.b.example.com.au', 'example.com.au'],
    ['city.kawasaki.jp', 'city.kawasaki.jp'],
    ['shop.example.co.jp', 'example.co.jp'],
    // Private suffixes: each deployment is its own site.
    ['a.vercel.app', 'a.vercel.app'],
    ['preview.a.vercel.app', 'a.vercel.app'],
    ['someone.github.io', 'someone.github.io'],
    ['my.site.blogspot.com', 'site.blogspot.com'],
    ['app.herokuapp.com', 'app.herokuapp.com'],
    // Not on the list: the last two labels.
    ['a.b.internal-tld', 'b.internal-tld'],
    ['xn--bcher-kva.example.de', 'example.de'],
  ])('%s -> %s', (host, base) => {
    expect(baseDomainOf(host)).toBe(base);
  });

  it('keeps IPs, localhost, fingerprints and bare suffixes as their own base', () => {
    for (const h of ['127.0.0.1', '[::1]', 'localhost', 'fp_0123456789abcdef0123456789abcdef', 'vercel.app', 'co.uk']) {
      expect(baseDomainOf(h)).toBe(h);
    }
  });

  it('tells a.vercel.app and b.vercel.app apart', () => {
    expect(baseDomainOf('a.vercel.app')).not.toBe(baseDomainOf('b.vercel.app'));
  });
});
