import type { TestResponse, TestServer } from '../support/harness.js';

/** A browser-like client of the console API: keeps the session cookie, sends Origin and the CSRF header. */
export class ConsoleClient {
  cookie: string | null = null;
  lastSetCookie: string | null = null;
  constructor(
    readonly s: TestServer,
    readonly origin = s.url,
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean; origin?: string | null; cookie?: string | null } = {},
  ): Promise<TestResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET' && opts.csrf !== false) headers['x-tollgate-console'] = '1';
    const origin = opts.origin === undefined ? this.origin : opts.origin;
    if (method !== 'GET' && origin) headers.origin = origin;
    const cookie = opts.cookie === undefined ? this.cookie : opts.cookie;
    if (cookie) headers.cookie = cookie;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.s.url}/console/api${path}`, { method, headers, body: payload });
    const set = res.headers.getSetCookie();
    if (set.length) {
      this.lastSetCookie = set[0]!;
      const pair = set[0]!.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? null : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep text */
    }
    return { status: res.status, headers: res.headers, body: parsed as any, text };
  }

  async signIn(email: string, password: string): Promise<TestResponse> {
    return this.call('POST', '/sign-in', { email, password });
  }
  async signInOperator(key: string): Promise<TestResponse> {
    return this.call('POST', '/sign-in/operator', { key });
  }
}
