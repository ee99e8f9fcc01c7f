import Redis from 'ioredis';
import { Settings } from '@libs/config';
import { PermanentError } from '@libs/domain';
import { MailBusyError, MailSendRate } from '@libs/mail';
import { redisKeyPrefix } from '@libs/queues';
import { DAY, HOUR, now, REDIS_URL, useNotifier } from '../../../test/support/notifier-context';
import { DeliveryService } from './delivery.service';
import { DigestBuilderService } from './digest-builder.service';
import { DigestMatcher } from './digest-matcher';
import { DigestPlannerService } from './digest-planner.service';

/** Sending digests by email: once per delivery, SMTP errors, bounces and suppression. */
describe('Notifier ledger', () => {
  const ctx = useNotifier('email-delivery');

  it('should send a delivery once even when its job runs twice', async () => {
    await ctx.newPaper('Only paper', { topics: ['rl'] });
    await ctx.newSubscription({ topics: ['rl'], email: null, slackWebhookUrl: ctx.slackUrl });
    const { digestIds } = await ctx.app.get(DigestPlannerService).planDue(now);
    await ctx.app.get(DigestBuilderService).build(digestIds[0]);
    const { rows } = await ctx.sql.query<{ id: string }>(`SELECT id FROM deliveries`);
    const delivery = ctx.app.get(DeliveryService);
    const outcomes = await Promise.all([delivery.send(rows[0].id), delivery.send(rows[0].id)]);
    expect(outcomes.sort()).toEqual(['sent', 'skipped']);
    expect(await delivery.send(rows[0].id)).toBe('skipped');
    expect(ctx.slackBodies).toHaveLength(1);
    expect(ctx.slackBodies[0]).toMatchObject({ text: 'Paperboy: 1 new paper for Saturday 28 November 2026' });
  });

  it('should fail an email for good on an SMTP 5xx and retry it after a 4xx', async () => {
    const id = await ctx.oneDelivery('email');
    ctx.smtpReply = { code: 451, message: 'Try again later' };
    const transient = await ctx.app
      .get(DeliveryService)
      .send(id)
      .catch((error: unknown) => error);
    expect(transient).toBeInstanceOf(Error);
    expect(transient).not.toBeInstanceOf(PermanentError);
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 1 });

    ctx.smtpReply = { code: 550, message: 'No such user' };
    const permanent = await ctx.app
      .get(DeliveryService)
      .send(id)
      .catch((error: unknown) => error);
    expect(permanent).toBeInstanceOf(PermanentError);
    expect((permanent as Error).message).toContain('550');
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'failed', attempts: 2 });
    const digest = await ctx.sql.query(
      `SELECT d.status FROM digests d JOIN deliveries v ON v."digestId" = d.id WHERE v.id = $1`,
      [id],
    );
    expect(digest.rows[0].status).toBe('failed');
    expect(await ctx.app.get(DeliveryService).send(id)).toBe('skipped');
    expect(ctx.received).toHaveLength(0);
  });

  it("should not count a wait for the relay's shared pause as an attempt, and send once it is over", async () => {
    const id = await ctx.oneDelivery('email');
    // Another replica heard "slow down": every notifier holds its mail (MAIL_SLOW_DOWN_SECONDS, 60 s here).
    await ctx.app.get(MailSendRate).slowDown();
    const redis = new Redis(REDIS_URL);
    try {
      const waited = await ctx.app
        .get(DeliveryService)
        .send(id)
        .catch((error: unknown) => error);
      expect(waited).toBeInstanceOf(MailBusyError);
      expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
      expect(ctx.received).toHaveLength(0);

      expect(await redis.del(`${redisKeyPrefix(ctx.app.get(Settings), 'mail')}:pause:relay`)).toBe(1);
      expect(await ctx.app.get(DeliveryService).send(id)).toBe('sent');
      expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'sent', attempts: 1 });
      expect(ctx.received).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  it('should suppress an address after the configured number of hard bounces', async () => {
    ctx.smtpReply = { code: 550, message: 'No such user' };
    await ctx.newPaper('Bounce paper 1', { topics: ['data'] });
    const subscription = await ctx.newSubscription({ topics: ['data'] });
    for (const [day, title] of [
      [0, null],
      [1, 'Bounce paper 2'],
    ] as const) {
      if (title) {
        await ctx.newPaper(title, { topics: ['data'], listedAt: new Date(now.getTime() + day * DAY - HOUR) });
      }
      await ctx.runDigests(new Date(now.getTime() + day * DAY)).catch(() => undefined);
    }
    const row = await ctx.sql.query(
      `SELECT "hardBounces", "emailSuppressedAt" IS NOT NULL AS suppressed FROM subscriptions WHERE id = $1`,
      [subscription.id],
    );
    expect(row.rows[0]).toEqual({ hardBounces: 2, suppressed: true });
    // Suppressed: the next digest has no email delivery.
    await ctx.newPaper('Bounce paper 3', { topics: ['data'], listedAt: new Date(now.getTime() + 2 * DAY - HOUR) });
    const [third] = (await ctx.app.get(DigestPlannerService).planDue(new Date(now.getTime() + 2 * DAY))).digestIds;
    await ctx.app.get(DigestBuilderService).build(third);
    expect(
      (await ctx.sql.query(`SELECT count(*)::int AS n FROM deliveries WHERE "digestId" = $1`, [third])).rows[0].n,
    ).toBe(0);
  });

  it('should not count our own SMTP trouble as the address bouncing, and give up after every attempt', async () => {
    const id = await ctx.oneDelivery('email');
    // A 5xx to our sender (a relay refusing us) is not the subscriber's fault.
    ctx.smtpSenderReply = { code: 550, message: 'Sender not allowed to relay' };
    const refused = await ctx.app
      .get(DeliveryService)
      .send(id)
      .catch((error: unknown) => error);
    expect(refused).not.toBeInstanceOf(PermanentError);
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 1 });
    const bounces = await ctx.sql.query(`SELECT "hardBounces", "emailSuppressedAt" FROM subscriptions`);
    expect(bounces.rows[0]).toEqual({ hardBounces: 0, emailSuppressedAt: null });

    // The last attempt fails the delivery for good, so the sweep stops re-queueing it.
    await ctx.sql.query(`UPDATE deliveries SET attempts = 7 WHERE id = $1`, [id]);
    await ctx.app
      .get(DeliveryService)
      .send(id)
      .catch(() => undefined);
    const row = await ctx.deliveryRow(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 8 });
    expect(row.lastError).toMatch(/^gave up after 8 failed attempts: /);
  });

  it('should count consecutive hard bounces only: an accepted email resets the count', async () => {
    const subscription = await ctx.newSubscription({ topics: ['data'] });
    const day = async (offset: number, reply: typeof ctx.smtpReply): Promise<void> => {
      ctx.smtpReply = reply;
      await ctx.newPaper(`Paper of day ${offset}`, { topics: ['data'], listedAt: new Date(now.getTime() + offset * DAY - HOUR) });
      ctx.app.get(DigestMatcher).clear();
      await ctx.runDigests(new Date(now.getTime() + offset * DAY)).catch(() => undefined);
    };
    const bounces = async () =>
      (await ctx.sql.query(`SELECT "hardBounces", "emailSuppressedAt" IS NOT NULL AS suppressed FROM subscriptions WHERE id = $1`, [subscription.id]))
        .rows[0] as { hardBounces: number; suppressed: boolean };

    await day(0, { code: 550, message: 'Mailbox full' });
    expect(await bounces()).toEqual({ hardBounces: 1, suppressed: false });
    await day(1, null);
    expect(await bounces()).toEqual({ hardBounces: 0, suppressed: false });
    // Two bounces apart (MAIL_MAX_HARD_BOUNCES is 2): the address keeps its digests.
    await day(2, { code: 550, message: 'Mailbox full' });
    expect(await bounces()).toEqual({ hardBounces: 1, suppressed: false });
    await day(3, { code: 550, message: 'Mailbox full' });
    expect(await bounces()).toEqual({ hardBounces: 2, suppressed: true });
    expect(ctx.received).toHaveLength(1);
  });
});
