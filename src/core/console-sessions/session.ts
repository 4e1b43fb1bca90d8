import type { Context } from '../../context.js';
import type { Tier } from '../../db/schema/index.js';
import type { Principal } from '../principal.js';

/** A live console sign-in, as the console face's credential resolves it from the cookie. */
export interface ConsoleSession {
  id: string;
  userId: string;
  kind: 'developer' | 'operator';
  principal: Principal;
  email: string;
  fullName: string | null;
  tier: Tier;
}

/** One of an account's live sessions, as the account page lists them. */
export interface SessionSummary {
  id: string;
  current: boolean;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export type SessionCtx = Pick<Context, 'db' | 'clock' | 'keys' | 'config'>;
