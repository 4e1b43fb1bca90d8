import { afterAll, beforeAll, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/core/usage/check-recorder.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { seedLicense, seedProject } from '../devpayr/runtime-fixtures.js';

/** A clock the test moves by hand. */
function handClock(start: string) {
  let t = Date.parse(start);
  return { now: () => new Date(t), set: (iso: string) => (t = Date.parse(iso)) };
}

forEachDatabase('runtime check statistics: when counters reach the database', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s.close());

  const totals = async (licenseId: string) =>
    (await s.ctx.db.selectFrom('license_check_counts').select(['minute', 'identifier', 'outcome', 'count']).where('license_id', '=', licenseId).execute()).map(
      (r) => `${new Date(r.minute).toISOString().slice(11, 16)} ${r.identifier} ${r.outcome} ${r.count}`,
    );
  const sightings = async (licenseId: string) =>
    (await s.ctx.db.selectFrom('license_identifiers').select(['identifier', 'use_count']).where('license_id', '=', licenseId).execute()).map((r) => `${r.identifier} ${r.use_count}`);

  it("writes a minute's counts once the minute is over, each exactly once, and sightings once a minute", async () => {
    const clock = handClock('2030-01-01T10:00:05Z');
    const recorder = new CheckRecorder({ db: s.ctx.db, log: s.ctx.log, clock });
    // Sightings belong to a real license (a foreign key); counts need none.
    const license = (await seedLicense(s.ctx, await seedProject(s.ctx, (await seedDeveloper(s.ctx)).userId))).id;
    const check = (identifier: string, outcome = 'paid') => {
      recorder.record({ projectId: 'p', licenseId: license, identifier, outcome, at: clock.now() });
      if (outcome === 'paid') recorder.sighting(license, identifier, identifier, clock.now());
    };
    check('a.example.com');
    check('a.example.com');
    check('b.example.com', 'revoked');
    clock.set('2030-01-01T10:00:40Z');
    check('a.example.com');
    await recorder.tick();
    expect(await totals(license)).toEqual([]);

    clock.set('2030-01-01T10:01:02Z');
    check('a.example.com');
    await recorder.tick();
    expect((await totals(license)).sort()).toEqual(['10:00 a.example.com paid 3', '10:00 b.example.com revoked 1']);
    // The sightings gathered until the minute changed are written with them.
    expect(await sightings(license)).toEqual(['a.example.com 4']);

    await recorder.tick();
    expect((await totals(license)).length).toBe(2);

    await recorder.flush();
    expect((await totals(license)).sort()).toEqual(['10:00 a.example.com paid 3', '10:00 b.example.com revoked 1', '10:01 a.example.com paid 1']);
    expect(await sightings(license)).toEqual(['a.example.com 4']);
    check('c.example.com');
    await recorder.flush();
    expect((await sightings(license)).sort()).toEqual(['a.example.com 4', 'c.example.com 1']);
  });

  it('counts a check that finishes after its minute was handed over as a row of its own, so no check is lost', async () => {
    const clock = handClock('2030-01-01T12:00:30Z');
    const recorder = new CheckRecorder({ db: s.ctx.db, log: s.ctx.log, clock });
    const license = `late-${kind}-${Date.now()}`;
    const started = clock.now();
    recorder.record({ projectId: 'p', licenseId: license, identifier: 'a.example.com', outcome: 'paid', at: started });
    clock.set('2030-01-01T12:01:01Z');
    recorder.record({ projectId: 'p', licenseId: license, identifier: 'a.example.com', outcome: 'paid', at: clock.now() });
    // A check that began at 12:00:30 (before the minute changed) is recorded only now.
    recorder.record({ projectId: 'p', licenseId: license, identifier: 'a.example.com', outcome: 'paid', at: started });
    await recorder.flush();
    const rows = await totals(license);
    expect(rows.sort()).toEqual(['12:00 a.example.com paid 1', '12:00 a.example.com paid 1', '12:01 a.example.com paid 1']);
  });

  it('trickles a large minute out over the next minute instead of all at once', async () => {
    const clock = handClock('2030-01-01T11:00:00Z');
    const recorder = new CheckRecorder({ db: s.ctx.db, log: s.ctx.log, clock });
    const license = `big-${kind}-${Date.now()}`;
    for (let i = 0; i < 6000; i++) recorder.record({ projectId: 'p', licenseId: license, identifier: `host${i}.example.com`, outcome: 'paid', at: clock.now() });
    clock.set('2030-01-01T11:01:00Z');
    const written: number[] = [];
    for (let tick = 0; tick < 12; tick++) {
      await recorder.tick();
      written.push((await totals(license)).length);
    }
    expect(written[0]).toBe(500);
    expect(written[11]).toBe(6000);
    for (let i = 1; i < 12; i++) expect(written[i]! - written[i - 1]!).toBeLessThanOrEqual(500);
  });
});
