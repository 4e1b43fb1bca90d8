/** The console's only way to the server: same-origin JSON, the CSRF header on every change. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[],
  ) {
    super(message);
  }
  /** The words for one input, or undefined. */
  field(name: string): string | undefined {
    // The core names some fields in snake_case (webhook_url), the forms in camelCase (webhookUrl).
    const norm = (s: string) => s.replace(/_/g, '').toLowerCase();
    const want = norm(name);
    return this.fields.find((f) => norm(f.field) === want || norm(f.field).endsWith(`.${want}`))?.message;
  }
}

let onSignedOut: () => void = () => {};
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-tollgate-console'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/console/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.', []);
  }
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (!res.ok) {
    const e = data?.error ?? { code: 'http', message: `The server answered ${res.status}.`, fields: [] };
    if (res.status === 401 && !path.startsWith('/sign-in')) onSignedOut();
    throw new ApiError(res.status, e.code, e.message, e.fields ?? []);
  }
  return data as T;
}

export const qs = (params: Record<string, string | number | boolean | null | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export interface Me {
  id: string;
  email: string;
  fullName: string | null;
  kind: 'developer' | 'operator';
  tier: string;
  sessionId: string;
}
export interface Meta {
  signUpOpen: boolean;
  insecure: boolean;
  signedIn: boolean;
  me: Me | null;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface Project {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  defaultRedirectUrl: string | null;
  webhookUrl: string | null;
  logoUrl: string | null;
  hasWebhookSecret: boolean;
  webhookWarning: string | null;
  webhookDisabledAt: string | null;
  meta: Record<string, unknown> | null;
  isActive: boolean;
  hasPaid: boolean;
  createdAt: string;
}
export interface KeyRecord {
  id: string;
  name: string | null;
  keyPrefix: string;
  isActive: boolean;
  lastUsedAt: string | null;
  createdAt: string;
}
export interface License {
  id: string;
  title: string;
  maskedKey: string;
  status: string;
  expiresAt: string | null;
  maxDomains: number | null;
  maxUsagePerDay: number | null;
  maxDevices: number | null;
  heartbeatInterval: number | null;
  componentMatch: string;
  isTestLicense: boolean;
  createdAt: string;
}
export interface Domain {
  id: string;
  domain: string;
  environment: string;
  isPrimary: boolean;
  isVerified: boolean;
  isActive: boolean;
  hasPaid: boolean;
  createdAt: string;
}
export interface Injectable {
  id: string;
  title: string | null;
  slug: string;
  type: string;
  mode: string;
  targetPath: string | null;
  contentHash: string;
  onlyIfPaid: boolean;
  isActive: boolean;
  createdAt: string;
}
export interface Reveal {
  projectId: string;
  developerKey: string;
  apiKey: string;
}
