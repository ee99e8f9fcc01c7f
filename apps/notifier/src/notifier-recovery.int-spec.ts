import { JobName } from '@libs/queues';
import { deleteQueueKeys } from '../../../test/support/processes';
import { liveJobOf } from '../../../test/support/queue-jobs';
import { now, REDIS_URL, useNotifier } from '../../../test/support/notifier-context';
import { DeliveryService } from './delivery.service';
import { DigestPlannerService } from './digest-planner.service';
import { DIGEST_TICK_SCHEDULER, DigestScheduler, LEDGER_PRUNE_SCHEDULER } from './digest-scheduler';

/** Recovering from a dead worker and from Redis losing its keys. */
describe('Notifier ledger', () => {
  const ctx = useNotifier('notifier-recovery');

  it('should release a claim left by a worker that died mid-send, and send it again', async () => {
    const id = await ctx.oneDelivery('email');
    // A worker claimed it, then died: the row says sending, and nobody will finish it.
    await ctx.sql.query(
      `UPDATE deliveries SET status = 'sending', attempts = 1, "updatedAt" = now() - interval '11 minutes' WHERE id = $1`,
      [id],
    );
    expect(await ctx.app.get(DeliveryService).send(id)).toBe('skipped');
    await ctx.notifyQueue.obliterate({ force: true });
    await ctx.app.get(DigestPlannerService).planDue(now);
    expect(await ctx.deliveryRow(id)).toMatchObject({
      status: 'pending',
      lastError: 'claim released: the sending worker stopped',
    });
    expect((await liveJobOf(ctx.notifyQueue, `delivery-${id}`))?.data).toEqual({ deliveryId: id });
    expect(await ctx.app.get(DeliveryService).send(id)).toBe('sent');
    expect(ctx.received).toHaveLength(1);
  });

  it('should re-queue work that Redis lost', async () => {
    const id = await ctx.oneDelivery('email');
    await ctx.notifyQueue.obliterate({ force: true });
    await ctx.sql.query(`UPDATE deliveries SET "updatedAt" = now() - interval '10 minutes'`);
    await ctx.sql.query(`UPDATE digests SET status = 'pending', "createdAt" = now() - interval '10 minutes'`);
    await ctx.app.get(DigestPlannerService).planDue(now);
    expect((await liveJobOf(ctx.notifyQueue, `delivery-${id}`))?.data).toEqual({ deliveryId: id });
    const digestId = (await ctx.sql.query<{ id: string }>('SELECT id FROM digests')).rows[0].id;
    expect((await liveJobOf(ctx.notifyQueue, `digest-${digestId}`))?.name).toBe(JobName.DigestBuild);
  });

  it('should put the tick and retention schedulers back when Redis loses them', async () => {
    const scheduler = new DigestScheduler(ctx.notifyQueue);
    await scheduler.onApplicationBootstrap();
    try {
      expect(await ctx.notifyQueue.getJobScheduler(DIGEST_TICK_SCHEDULER)).toBeDefined();
      await deleteQueueKeys(REDIS_URL, ctx.prefix);
      expect(await ctx.notifyQueue.getJobScheduler(DIGEST_TICK_SCHEDULER)).toBeUndefined();
      await scheduler.restoreIfLost();
      expect((await ctx.notifyQueue.getJobScheduler(DIGEST_TICK_SCHEDULER))?.every).toBe(60_000);
      expect((await ctx.notifyQueue.getJobScheduler(LEDGER_PRUNE_SCHEDULER))?.every).toBe(3600_000);
    } finally {
      scheduler.onModuleDestroy();
      await ctx.notifyQueue.removeJobScheduler(DIGEST_TICK_SCHEDULER);
      await ctx.notifyQueue.removeJobScheduler(LEDGER_PRUNE_SCHEDULER);
    }
  });
});
