import type { Tier } from '../db/schema/index.js';

/**
 * Who is calling, resolved by a face from its credentials. Core functions authorize on this
 * alone and never look at headers.
 */
export type Principal =
  | { kind: 'operator'; userId: string }
  /** A developer, signed in with a token and/or a developer key (a "global API key" on devpayr). */
  | { kind: 'developer'; userId: string; tier: Tier; keyId: string | null }
  /** A project API key (a "project-scoped API key" on devpayr): acts for the owner, on one project. */
  | { kind: 'project_key'; userId: string; tier: Tier; projectId: string; keyId: string }
  | { kind: 'end_user'; userId: string; projectId: string };

/** The developer who owns what this principal may touch, or null for operators and end users. */
export function ownerOf(p: Principal): string | null {
  return p.kind === 'developer' || p.kind === 'project_key' ? p.userId : null;
}

/** The one project a project-scoped principal is confined to, or null when not confined. */
export function confinedProject(p: Principal): string | null {
  return p.kind === 'project_key' || p.kind === 'end_user' ? p.projectId : null;
}
