import { SubscriptionRepository } from '@libs/database';
import { HOUR, useNotifier } from '../../../test/support/notifier-context';
import { DigestMatcher } from './digest-matcher';

/** Sends the ticks missed: outages across send times and schedules changed in between. */
describe('Notifier ledger', () => {
  const ctx = useNotifier('missed-sends');

  it('should still send the digest of a day no tick saw due, once, and not to a subscription edited since', async () => {
    const dayBefore = new Date('2026-11-27T08:00:00Z'); // the send time of 2026-11-27 (UTC, 8 h)
    await ctx.newPaper('Missed day paper', { topics: ['llm'], listedAt: new Date(dayBefore.getTime() - 2 * HOUR) });
    const unchanged = await ctx.newSubscription({ topics: ['llm'] });
    const edited = await ctx.newSubscription({ topics: ['llm'], email: 'edited@example.org' });
    await ctx.sql.query(`UPDATE subscriptions SET "updatedAt" = '2026-11-01T00:00:00Z' WHERE id = $1`, [unchanged.id]);
    await ctx.sql.query(`UPDATE subscriptions SET "updatedAt" = $2 WHERE id = $1`, [
      edited.id,
      new Date(dayBefore.getTime() + HOUR),
    ]);

    // Every notifier was down from before 2026-11-27 08:00 until after midnight: the first tick comes
    // on 2026-11-28 before its own send time.
    const [missed, ...others] = await ctx.runDigests(new Date('2026-11-28T05:00:00Z'));
    expect(others).toEqual([]);
    const row = await ctx.sql.query(
      `SELECT "subscriptionId", "periodKey", "plannedFor", status FROM digests WHERE id = $1`,
      [missed],
    );
    expect(row.rows[0]).toEqual({
      subscriptionId: unchanged.id,
      periodKey: '2026-11-27',
      plannedFor: dayBefore,
      status: 'sent',
    });
    expect(await ctx.digestPapers(missed)).toEqual(['Missed day paper']);
    expect(ctx.received.map((mail) => mail.to)).toEqual([['reader@example.org']]);

    // Later ticks claim it no more; the day's own digest comes at its send time, with the new papers only.
    await ctx.newPaper('Next day paper', { topics: ['llm'], listedAt: new Date('2026-11-28T06:00:00Z') });
    expect(await ctx.runDigests(new Date('2026-11-28T07:00:00Z'))).toEqual([]);
    const today = await ctx.runDigests(new Date('2026-11-28T09:00:00Z'));
    const todays = await ctx.sql.query(
      `SELECT id FROM digests WHERE "subscriptionId" = $1 AND "periodKey" = '2026-11-28'`,
      [unchanged.id],
    );
    expect(today).toContain(todays.rows[0].id);
    expect(await ctx.digestPapers(todays.rows[0].id)).toEqual(['Next day paper']);
  });

  it('should send one digest after an outage across a send time, covering the missed day too', async () => {
    const reader = await ctx.newSubscription({ topics: ['llm'] });
    await ctx.sql.query(`UPDATE subscriptions SET "updatedAt" = '2026-11-01T00:00:00Z' WHERE id = $1`, [reader.id]);
    await ctx.newPaper('Paper of the missed day', { topics: ['llm'], listedAt: new Date('2026-11-27T06:00:00Z') });
    await ctx.newPaper('Paper of today', { topics: ['llm'], listedAt: new Date('2026-11-28T06:00:00Z') });

    // Every notifier was down from before 2026-11-27 08:00 until after 2026-11-28 08:00.
    const built = await ctx.runDigests(new Date('2026-11-28T09:00:00Z'));
    expect(built).toHaveLength(1);
    const ledger = await ctx.sql.query<{ periodKey: string; status: string; paperCount: number }>(
      `SELECT "periodKey", status, "paperCount" FROM digests WHERE "subscriptionId" = $1 ORDER BY "dueAt"`,
      [reader.id],
    );
    expect(ledger.rows).toEqual([
      { periodKey: '2026-11-27', status: 'merged', paperCount: 0 },
      { periodKey: '2026-11-28', status: 'sent', paperCount: 2 },
    ]);
    expect((await ctx.digestPapers(built[0])).sort()).toEqual(['Paper of the missed day', 'Paper of today']);
    expect(ctx.received.map((mail) => mail.to)).toEqual([['reader@example.org']]);

    // Both periods are done: later ticks claim neither again.
    expect(await ctx.runDigests(new Date('2026-11-28T10:00:00Z'))).toEqual([]);
  });

  it('should reach back to the previous digest after an outage of days, and after a weekday moved later', async () => {
    const daily = await ctx.newSubscription({ topics: ['llm'] });
    await ctx.sql.query(`UPDATE subscriptions SET "updatedAt" = '2026-11-01T00:00:00Z' WHERE id = $1`, [daily.id]);
    await ctx.newPaper('Before the outage', { topics: ['llm'], listedAt: new Date('2026-11-21T12:00:00Z') });
    await ctx.runDigests(new Date('2026-11-22T08:00:00Z'));
    // Every notifier down from 11-22 09:00 to 11-27 10:00: 11-26 is caught up, and reaches back to 11-22.
    await ctx.newPaper('Listed during the outage', { topics: ['llm'], listedAt: new Date('2026-11-22T12:00:00Z') });
    ctx.app.get(DigestMatcher).clear();
    await ctx.runDigests(new Date('2026-11-27T10:00:00Z'));
    const keys = await ctx.sql.query<{ periodKey: string }>(`SELECT "periodKey" FROM digests WHERE "subscriptionId" = $1 ORDER BY "dueAt"`, [daily.id]);
    // (11-21 is the first tick's catch-up.)
    expect(keys.rows.map((row) => row.periodKey)).toEqual(['2026-11-21', '2026-11-22', '2026-11-26', '2026-11-27']);
    const titles = async (subscriptionId: string) =>
      (
        await ctx.sql.query<{ title: string }>(
          `SELECT p.title FROM digest_papers d JOIN papers p ON p.id = d."paperId" WHERE d."subscriptionId" = $1 ORDER BY p.title`,
          [subscriptionId],
        )
      ).rows.map((row) => row.title);
    expect(await titles(daily.id)).toEqual(['Before the outage', 'Listed during the outage']);

    // Weekly on Monday; on Tuesday after Monday's digest the subscriber picks Sunday: W48 keeps its one
    // digest, and W49's, 13 days later, reaches back to Monday's.
    const weekly = await ctx.newSubscription({ topics: ['agents'] });
    await ctx.sql.query(`UPDATE subscriptions SET frequency = 'weekly', weekday = 1 WHERE id = $1`, [weekly.id]);
    await ctx.newPaper('Before Monday', { topics: ['agents'], listedAt: new Date('2026-11-22T12:00:00Z') });
    ctx.app.get(DigestMatcher).clear();
    await ctx.runDigests(new Date('2026-11-23T09:00:00Z'));
    await ctx.newPaper('Listed Tuesday', { topics: ['agents'], listedAt: new Date('2026-11-24T12:00:00Z') });
    await ctx.app.get(SubscriptionRepository).updatePreferences(weekly.id, { ...weekly, frequency: 'weekly', weekday: 7 });
    for (let t = Date.parse('2026-11-24T10:00:00Z'); t <= Date.parse('2026-12-07T10:00:00Z'); t += 6 * HOUR) {
      ctx.app.get(DigestMatcher).clear();
      await ctx.runDigests(new Date(t));
    }
    const weeks = await ctx.sql.query<{ periodKey: string }>(`SELECT "periodKey" FROM digests WHERE "subscriptionId" = $1 ORDER BY "dueAt"`, [weekly.id]);
    expect(weeks.rows.map((row) => row.periodKey)).toEqual(['2026-W48', '2026-W49']);
    expect(await titles(weekly.id)).toEqual(['Before Monday', 'Listed Tuesday']);
  });

  it("should send the new zone's day after a zone moved west past today's digest, under a key of its own", async () => {
    const subscription = await ctx.newSubscription({ topics: ['llm'] });
    await ctx.sql.query(`UPDATE subscriptions SET timezone = 'Asia/Tokyo' WHERE id = $1`, [subscription.id]);
    await ctx.newPaper('Tokyo morning paper', { topics: ['llm'], listedAt: new Date('2026-11-28T20:00:00Z') });
    await ctx.runDigests(new Date('2026-11-28T23:00:00Z')); // 08:00 in Tokyo on 11-29
    // At 01:00Z the subscriber moves to UTC, still 08:00: UTC's 11-29 is owed, 9 hours after Tokyo's.
    await ctx.app.get(SubscriptionRepository).updatePreferences(subscription.id, { ...subscription, timezone: 'UTC' });
    await ctx.newPaper('London morning paper', { topics: ['llm'], listedAt: new Date('2026-11-29T05:00:00Z') });
    ctx.app.get(DigestMatcher).clear();
    expect(await ctx.runDigests(new Date('2026-11-29T01:00:00Z'))).toEqual([]);
    const [utcDay] = await ctx.runDigests(new Date('2026-11-29T08:00:00Z'));
    const row = await ctx.sql.query(`SELECT "periodKey" FROM digests WHERE id = $1`, [utcDay]);
    expect(row.rows[0].periodKey).toBe('2026-11-29@2026-11-29T08:00:00.000Z');
    expect(await ctx.digestPapers(utcDay)).toEqual(['London morning paper']);
    expect(ctx.received.map((mail) => mail.mail.subject)).toEqual([
      expect.stringContaining('for Sunday 29 November 2026'),
      expect.stringMatching(/for Sunday 29 November 2026$/),
    ]);
    // Ticks later the same day claim nothing more; the next day goes on as usual.
    expect(await ctx.runDigests(new Date('2026-11-29T20:00:00Z'))).toEqual([]);
    const next = await ctx.runDigests(new Date('2026-11-30T08:00:00Z'));
    expect(next).toHaveLength(1);
  });
});
