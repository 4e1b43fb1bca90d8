import type { Tier } from '../db/schema/index.js';

/** Where a request came from, for the audit log: absent for the command line and background work. */
export interface Origin {
  ip: string;
  requestId: string;
}

/** The key a caller presented, when it came with one (audit entries show its prefix). */
interface ByKey {
  keyId: string | null;
  keyPrefix?: string | null;
}

/**
 * Who is calling, resolved by a face from its credentials (http/auth.ts). Core functions
 * authorize on this alone and never look at headers.
 */
export type Principal =
  | ({ kind: 'operator'; userId: string; origin?: Origin } & Partial<ByKey>)
  /** A developer, signed in with a token and/or a developer key (a "global API key" on devpayr). */
  | ({ kind: 'developer'; userId: string; tier: Tier; origin?: Origin } & ByKey)
  /** A project API key (a "project-scoped API key" on devpayr): acts for the owner, on one project. */
  | ({ kind: 'project_key'; userId: string; tier: Tier; projectId: string; origin?: Origin } & ByKey & {
        keyId: string;
      })
  /** An end user of one project; `ownerId` and `tier` are that project's developer's (quotas are theirs). */
  | { kind: 'end_user'; userId: string; projectId: string; ownerId: string; tier: Tier; origin?: Origin };

/** The developer who owns what this principal may touch, or null for operators and end users. */
export function ownerOf(p: Principal): string | null {
  return p.kind === 'developer' || p.kind === 'project_key' ? p.userId : null;
}

/** The one project a project-scoped principal is confined to, or null when not confined. */
export function confinedProject(p: Principal): string | null {
  return p.kind === 'project_key' || p.kind === 'end_user' ? p.projectId : null;
}
