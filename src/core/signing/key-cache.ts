import type { Context } from '../../context.js';
import { instanceSigningKey } from './instance-key.js';
import type { SigningKey } from './key-pair.js';
import { ensureActiveKey } from './project-keys.js';

/**
 * How long a process keeps signing with a project's key before reading it again. A rotation
 * made here is seen at once (forget); one made by another process within this bound. Signing
 * with the previous key meanwhile is harmless: it is `retiring`, so it still verifies, unless
 * the rotation's grace was 0 days, when answers may be signed by it for this long.
 */
export const KEY_CACHE_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  at: number;
  key: Promise<SigningKey | null>;
}

/**
 * Signing keys by project, unsealed once per KEY_CACHE_MS instead of per answer (opening the
 * sealed key and parsing it costs more than the Ed25519 signature itself). Unknown projects
 * are kept too (as null), so a stream of made-up project ids costs one read per id per bound.
 */
export class SigningKeyCache {
  private readonly projects = new Map<string, Entry>();
  private instanceKey: Promise<SigningKey> | null = null;

  constructor(private readonly ctx: Pick<Context, 'db' | 'clock' | 'keys'>) {}

  /** The project's active key, or null when there is no such project. */
  project(projectId: string): Promise<SigningKey | null> {
    const now = performance.now();
    const hit = this.projects.get(projectId);
    if (hit && now - hit.at < KEY_CACHE_MS) return hit.key;
    if (this.projects.size >= MAX_ENTRIES) this.projects.clear();
    const key = ensureActiveKey(this.ctx, projectId);
    // A failed read is not kept: the next answer tries again.
    key.catch(() => this.projects.delete(projectId));
    this.projects.set(projectId, { at: now, key });
    return key;
  }

  /** The instance's own key (it never rotates, so it is kept for the process's life). */
  instance(): Promise<SigningKey> {
    this.instanceKey ??= instanceSigningKey(this.ctx).catch((err: unknown) => {
      this.instanceKey = null;
      throw err;
    });
    return this.instanceKey;
  }

  /** After a rotation in this process. */
  forget(projectId: string): void {
    this.projects.delete(projectId);
  }
}
