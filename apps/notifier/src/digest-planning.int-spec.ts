import { JobName } from '@libs/queues';
import { HOUR, now, useNotifier } from '../../../test/support/notifier-context';
import { DigestPlannerService } from './digest-planner.service';

/** Planning digests: one claim per subscription and period, and when a subscription is read again. */
describe('Notifier ledger', () => {
  const ctx = useNotifier('digest-planning');

  it('should claim one digest per subscription and period, whoever asks', async () => {
    const subscription = await ctx.newSubscription({ topics: ['llm'] });
    const planner = ctx.app.get(DigestPlannerService);
    const [first, second] = await Promise.all([planner.planDue(now), planner.planDue(now)]);
    const later = await planner.planDue(new Date(now.getTime() + HOUR));
    expect([...first.digestIds, ...second.digestIds]).toHaveLength(1);
    expect(later.digestIds).toEqual([]);
    const { rows } = await ctx.sql.query(`SELECT "periodKey" FROM digests WHERE "subscriptionId" = $1`, [subscription.id]);
    expect(rows).toEqual([{ periodKey: '2026-11-28' }]);
    const [digestId] = [...first.digestIds, ...second.digestIds];
    const job = await ctx.notifyQueue.getJob(`digest-${digestId}`);
    expect(job?.name).toBe(JobName.DigestBuild);
    expect(job?.data).toEqual({ digestId });
    const planned = await ctx.sql.query(`SELECT "plannedFor" FROM digests WHERE id = $1`, [digestId]);
    expect(planned.rows[0].plannedFor).toEqual(now);
  });

  it('should read a subscription again only at its next send time, or at once after a change of schedule', async () => {
    const subscription = await ctx.newSubscription({ topics: ['llm'] }); // daily at 08:00 UTC
    const planner = ctx.app.get(DigestPlannerService);
    const planAt = async (): Promise<Date | null> =>
      (await ctx.sql.query(`SELECT "planAt" FROM subscriptions WHERE id = $1`, [subscription.id])).rows[0].planAt;
    expect(await planAt()).toBeNull();

    const early = new Date('2026-11-28T06:00:00Z');
    expect((await planner.planDue(early)).digestIds).toEqual([]);
    expect(await planAt()).toEqual(new Date('2026-11-28T08:00:00Z'));

    expect((await planner.planDue(now)).digestIds).toHaveLength(1);
    expect(await planAt()).toEqual(new Date('2026-11-29T08:00:00Z'));

    // The send hour moves to later today: the trigger resets planAt, and the next tick plans the
    // subscription afresh. At 20:00 it finds today's period claimed already: nothing more is sent.
    await ctx.sql.query(`UPDATE subscriptions SET "sendHour" = 20 WHERE id = $1`, [subscription.id]);
    expect(await planAt()).toBeNull();
    expect((await planner.planDue(now)).digestIds).toEqual([]);
    expect(await planAt()).toEqual(new Date('2026-11-28T20:00:00Z'));
    expect((await planner.planDue(new Date('2026-11-28T20:30:00Z'))).digestIds).toEqual([]);
    expect(await planAt()).toEqual(new Date('2026-11-29T20:00:00Z'));

    // A change that is not about the schedule (its topics) keeps planAt; pausing sets it aside.
    await ctx.sql.query(`UPDATE subscriptions SET topics = '{vision}' WHERE id = $1`, [subscription.id]);
    expect(await planAt()).toEqual(new Date('2026-11-29T20:00:00Z'));
    await ctx.sql.query(`UPDATE subscriptions SET frequency = 'paused' WHERE id = $1`, [subscription.id]);
    await planner.planDue(now);
    expect((await planAt())?.getUTCFullYear()).toBe(9999);
    await ctx.sql.query(`UPDATE subscriptions SET frequency = 'daily' WHERE id = $1`, [subscription.id]);
    expect((await planner.planDue(new Date('2026-11-29T20:30:00Z'))).digestIds).toHaveLength(1);
  });
});
