import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteRuntimeChange, type RuntimeChange } from '../../src/core/runtime/changes.js';
import { RuntimeFeed } from '../../src/core/runtime/feed.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';

/** A listener that keeps what the feed hands it. */
function collector() {
  const changes: RuntimeChange[] = [];
  let resets = 0;
  const listener = {
    changed: (c: RuntimeChange) => changes.push({ projectId: c.projectId, licenseId: c.licenseId }),
    reset: () => resets++,
  };
  return { changes, resets: () => resets, listener };
}

forEachDatabase('runtime change feed', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s.close());

  it('starts a lookback before the end of the table (a change still committing at start is not missed) and hands over each change once', async () => {
    await s.ctx.db
      .transaction()
      .execute((trx) => noteRuntimeChange(trx, s.ctx, { projectId: 'before-start', licenseId: null }));
    const c = collector();
    const feed = new RuntimeFeed(s.ctx, c.listener);
    await feed.start();
    expect(feed.isCurrent()).toBe(true);
    await s.ctx.db.transaction().execute(async (trx) => {
      await noteRuntimeChange(trx, s.ctx, { projectId: 'p1', licenseId: 'l1' });
      await noteRuntimeChange(trx, s.ctx, { projectId: 'p2', licenseId: null });
    });
    await feed.poll();
    await feed.poll();
    await feed.close();
    expect(c.changes).toEqual([
      { projectId: 'before-start', licenseId: null },
      { projectId: 'p1', licenseId: 'l1' },
      { projectId: 'p2', licenseId: null },
    ]);
  });

  it('hands nothing over for a change whose transaction rolled back', async () => {
    const c = collector();
    const feed = new RuntimeFeed(s.ctx, c.listener);
    await feed.start();
    await expect(
      s.ctx.db.transaction().execute(async (trx) => {
        await noteRuntimeChange(trx, s.ctx, { projectId: 'rolled-back', licenseId: null });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await feed.poll();
    await feed.close();
    expect(c.changes.map((x) => x.projectId)).not.toContain('rolled-back');
  });

  // Only PostgreSQL commits concurrent writers out of sequence order (SQLite has one writer).
  if (kind === 'postgres')
    it('still sees a change that commits after a later-numbered one', async () => {
      const c = collector();
      const feed = new RuntimeFeed(s.ctx, c.listener);
      await feed.start();
      // Transaction A draws its sequence number first but commits last.
      let commitA!: () => void;
      const aMayCommit = new Promise<void>((resolve) => (commitA = resolve));
      let aInserted!: () => void;
      const aHasInserted = new Promise<void>((resolve) => (aInserted = resolve));
      const a = s.ctx.db.transaction().execute(async (trx) => {
        await noteRuntimeChange(trx, s.ctx, { projectId: 'slow', licenseId: null });
        aInserted();
        await aMayCommit;
      });
      await aHasInserted;
      await s.ctx.db
        .transaction()
        .execute((trx) => noteRuntimeChange(trx, s.ctx, { projectId: 'fast', licenseId: null }));
      await feed.poll();
      const ours = () => c.changes.map((x) => x.projectId).filter((p) => p === 'fast' || p === 'slow');
      expect(ours()).toEqual(['fast']);
      commitA();
      await a;
      await feed.poll();
      await feed.close();
      expect(ours()).toEqual(['fast', 'slow']);
    });
});

describe('runtime change feed freshness', () => {
  it('is not current before its first poll, nor once polls have stopped succeeding for the freshness bound', async () => {
    const s = await startServer('sqlite');
    const feed = new RuntimeFeed(s.ctx, collector().listener);
    expect(feed.isCurrent()).toBe(false);
    await feed.start();
    expect(feed.isCurrent()).toBe(true);
    expect(feed.isCurrent(performance.now() + 10_000)).toBe(false);
    await feed.close();
    await s.close();
  });
});
