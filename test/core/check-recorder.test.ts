import { afterAll, beforeAll, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/core/runtime/check-recorder.js';
import { checkLicense } from '../../src/core/runtime/check-license.js';
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
    (
      await s.ctx.db
        .selectFrom('license_check_counts')
        .select(['minute', 'identifier', 'outcome', 'count'])
        .where('license_id', '=', licenseId)
        .execute()
    ).map((r) => `${new Date(r.minute).toISOString().slice(11, 16)} ${r.identifier} ${r.outcome} ${r.count}`);
  const sightings = async (licenseId: string) =>
    (
      await s.ctx.db
        .selectFrom('license_identifiers')
        .select(['identifier', 'use_count'])
        .where('license_id', '=', licenseId)
        .execute()
    ).map((r) => `${r.identifier} ${r.use_count}`);

  it("writes a minute's counts once the minute is over, each exactly once, and sightings once a minute", async () => {
    const clock = handClock('2030-01-01T10:00:05Z');
    const recorder = new CheckRecorder({ db: s.ctx.db, log: s.ctx.log, clock });
    // Sightings belong to a real license (a foreign key); counts need none.
    const license = (await seedLicense(s.ctx, await seedProject(s.ctx, (await seedDeveloper(s.ctx)).userId))).id;
    const check = (identifier: string, outcome = 'paid') => {
      const record = { projectId: 'p', licenseId: license, identifier, outcome, at: clock.now() };
      if (outcome === 'paid') recorder.recordPass(record, { identifier, base: identifier });
      else recorder.record(record);
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
    expect((await totals(license)).sort()).toEqual([
      '10:00 a.example.com paid 3',
      '10:00 b.example.com revoked 1',
      '10:01 a.example.com paid 1',
    ]);
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
    recorder.record({
      projectId: 'p',
      licenseId: license,
      identifier: 'a.example.com',
      outcome: 'paid',
      at: clock.now(),
    });
    // A check that began at 12:00:30 (before the minute changed) is recorded only now.
    recorder.record({ projectId: 'p', licenseId: license, identifier: 'a.example.com', outcome: 'paid', at: started });
    // The same for a pass (whose counter the next check of that install would bump): its row
    // is its own, and the next check, of 12:01, is not counted into it.
    const late = recorder.recordPass(
      { projectId: 'p', licenseId: license, identifier: 'b.example.com', outcome: 'paid', at: started },
      null,
    );
    expect(recorder.bump(late, clock.now())).toBe(false);
    await recorder.flush();
    const rows = await totals(license);
    expect(rows.sort()).toEqual([
      '12:00 a.example.com paid 1',
      '12:00 a.example.com paid 1',
      '12:00 b.example.com paid 1',
      '12:01 a.example.com paid 1',
    ]);
  });

  it("counts an install's repeated checks exactly, across minutes, flushes and another install in between", async () => {
    // The same install's next check is answered from the snapshot's last verdict and counted
    // through its tally; whatever hands the counters over must make it count anew, not lose it.
    const clock = handClock('2030-01-01T13:00:10Z');
    const ctx = { ...s.ctx, clock };
    const project = await seedProject(s.ctx, (await seedDeveloper(s.ctx)).userId, { hasPaid: true });
    const { id, key } = await seedLicense(s.ctx, project);
    // Once the feed has read the new license, its snapshot is kept: the case under test.
    await s.ctx.runtime.poll();
    const check = async (domain: string) => {
      const r = await checkLicense(ctx, { licenseKey: key, domain, ip: '127.0.0.1', action: null, projectId: null });
      expect(r).toMatchObject({ valid: true, hasPaid: true });
    };
    for (let i = 0; i < 3; i++) await check('one.example.com');
    await check('two.example.com');
    await check('one.example.com');
    clock.set('2030-01-01T13:01:05Z');
    for (let i = 0; i < 2; i++) await check('one.example.com');
    await s.ctx.runtime.recorder.flush();
    for (let i = 0; i < 4; i++) await check('one.example.com');
    await s.ctx.runtime.recorder.flush();
    const byMinute = (await totals(id)).reduce<Record<string, number>>((acc, row) => {
      const [minute, identifier, , n] = row.split(' ');
      acc[`${minute} ${identifier}`] = (acc[`${minute} ${identifier}`] ?? 0) + Number(n);
      return acc;
    }, {});
    expect(byMinute).toEqual({ '13:00 one.example.com': 4, '13:00 two.example.com': 1, '13:01 one.example.com': 6 });
    expect((await sightings(id)).sort()).toEqual(['one.example.com 10', 'two.example.com 1']);
  });

  it('trickles a large minute out over the next minute instead of all at once', async () => {
    const clock = handClock('2030-01-01T11:00:00Z');
    const recorder = new CheckRecorder({ db: s.ctx.db, log: s.ctx.log, clock });
    const license = `big-${kind}-${Date.now()}`;
    for (let i = 0; i < 6000; i++)
      recorder.record({
        projectId: 'p',
        licenseId: license,
        identifier: `host${i}.example.com`,
        outcome: 'paid',
        at: clock.now(),
      });
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
