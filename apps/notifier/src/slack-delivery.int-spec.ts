import { ConsoleLogger, Logger } from '@nestjs/common';
import { createServer as createNetServer } from 'node:net';
import { Clock, PermanentError, RetryLaterError } from '@libs/domain';
import { DELIVERY_SEND_ATTEMPTS } from '@libs/queues';
import { DAY, now, useNotifier } from '../../../test/support/notifier-context';
import { WebhookThrottle } from './channels/webhook-throttle';
import { DeliveryService } from './delivery.service';
import { DigestBuilderService } from './digest-builder.service';
import { DigestPlannerService } from './digest-planner.service';

/** Sending digests to Slack: retries, the webhook slot, rate limits, long digests and secret URLs. */
describe('Notifier ledger', () => {
  const ctx = useNotifier('slack-delivery');

  it('should retry Slack on 5xx, wait for the webhook slot, and disable the channel when the webhook is gone', async () => {
    const id = await ctx.oneDelivery('slack');
    ctx.slackStatus = 500;
    await expect(ctx.app.get(DeliveryService).send(id)).rejects.not.toBeInstanceOf(PermanentError);
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'pending' });

    // Within the second: the webhook's slot is taken, the job is delayed, no failure is recorded.
    ctx.slackStatus = 404;
    const busy = await ctx.app
      .get(DeliveryService)
      .send(id)
      .catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(RetryLaterError);
    expect((busy as RetryLaterError).delayMs).toBeLessThanOrEqual(1000);
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'pending', lastError: null });
    expect(ctx.slackBodies).toHaveLength(1);

    // The second is over (the limiter's own window, freed rather than waited for).
    await ctx.app.get(WebhookThrottle).release(ctx.slackUrl);
    await expect(ctx.app.get(DeliveryService).send(id)).rejects.toThrow(/HTTP 404 no_service/);
    // Two requests reached Slack; the wait for the webhook's slot was no attempt.
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect((await ctx.deliveryRow(id)).lastError).not.toContain('/services/T1/B1/');
    const { rows } = await ctx.sql.query(
      `SELECT "slackDisabledAt" IS NOT NULL AS disabled, "slackDisabledReason" FROM subscriptions`,
    );
    expect(rows[0]).toEqual({ disabled: true, slackDisabledReason: 'HTTP 404 no_service' });

    // The next digest of this subscription goes to no Slack channel.
    await ctx.newPaper('Next paper', { topics: ['graphs'] });
    const [next] = (await ctx.app.get(DigestPlannerService).planDue(new Date(now.getTime() + DAY))).digestIds;
    await ctx.app.get(DigestBuilderService).build(next);
    const channels = await ctx.sql.query(`SELECT channel FROM deliveries WHERE "digestId" = $1`, [next]);
    expect(channels.rows).toEqual([]);
    expect((await ctx.sql.query(`SELECT status FROM digests WHERE id = $1`, [next])).rows[0].status).toBe('sent');
  });

  it('should resume a long Slack digest after the messages already accepted', async () => {
    for (let i = 0; i < 20; i += 1) {
      await ctx.newPaper(`Long digest paper ${i}`, { upvotes: 100 - i, topics: ['video'] });
    }
    await ctx.newSubscription({ topics: ['video'], email: null, slackWebhookUrl: ctx.slackUrl });
    const { digestIds } = await ctx.app.get(DigestPlannerService).planDue(now);
    await ctx.app.get(DigestBuilderService).build(digestIds[0]);
    const id = (await ctx.sql.query<{ id: string }>(`SELECT id FROM deliveries`)).rows[0].id;

    ctx.slackStatuses.push(200, 500);
    await expect(ctx.app.get(DeliveryService).send(id)).rejects.toThrow(/HTTP 500/);
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'pending' });
    await ctx.app.get(WebhookThrottle).release(ctx.slackUrl);
    expect(await ctx.app.get(DeliveryService).send(id)).toBe('sent');

    const texts = (ctx.slackBodies as { text: string }[]).map((body) => body.text);
    // With its vote buttons a paper takes three blocks: 8 papers a message.
    expect(texts).toEqual([
      'Paperboy: 20 new papers for Saturday 28 November 2026 (1/3)',
      'Paperboy: 20 new papers for Saturday 28 November 2026 (2/3)',
      'Paperboy: 20 new papers for Saturday 28 November 2026 (2/3)',
      'Paperboy: 20 new papers for Saturday 28 November 2026 (3/3)',
    ]);
  });
  /** Runs the delivery as a DeliverySend job of one attempt on a queue of its own; the job's failure reason. */

  it('should keep a webhook URL out of the ledger, the job failure reason and the logs, whatever its host (network failure)', async () => {
    // A port nobody listens on: the POST fails at the network level, on a host that is not hooks.slack.com.
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const secretPath = '/services/T9/B9/s3cr3t-token';
    await ctx.newPaper('Any paper', { topics: ['llm'] });
    const webhookUrl = `http://127.0.0.1:${port}${secretPath}`;
    await ctx.newSubscription({ email: null, topics: ['llm'], slackWebhookUrl: webhookUrl });

    const lines: string[] = [];
    const capture = (...args: unknown[]): void => void lines.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : JSON.stringify(arg))).join(' '));
    Logger.overrideLogger({ log: capture, warn: capture, error: capture, debug: capture, verbose: capture, fatal: capture });
    try {
      const [digestId] = (await ctx.app.get(DigestPlannerService).planDue(now)).digestIds;
      // The build's own send (whose failure is logged), then the delivery job.
      await ctx.app.get(DigestBuilderService).buildAndSend(digestId);
      const { rows } = await ctx.sql.query<{ id: string }>(`SELECT id FROM deliveries WHERE "digestId" = $1`, [digestId]);
      await ctx.app.get(WebhookThrottle).release(webhookUrl);
      const error = await ctx.app.get(DeliveryService).send(rows[0].id).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentError); // still retried: the error's kind is kept
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      await ctx.app.get(WebhookThrottle).release(webhookUrl);
      const reason = await ctx.failedReasonOf(rows[0].id);
      const row = await ctx.deliveryRow(rows[0].id);

      expect(reason).toMatch(/ECONNREFUSED|connect/);
      expect(row.lastError).toMatch(/ECONNREFUSED|connect/);
      expect(lines.join('\n')).toMatch(/will be retried/);
      for (const text of [(error as Error).message, String((error as Error).stack), reason, row.lastError, lines.join('\n')]) {
        expect(text).not.toContain('s3cr3t-token');
        expect(text).not.toContain('/services/T9');
      }
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
  });

  it('should not count a wait for the webhook slot as an attempt, nor a 429 against the attempts for failures', async () => {
    const id = await ctx.oneDelivery('slack');
    // The slot is taken (another digest to this webhook just went out): delayed, no attempt. It is taken
    // for long enough to outlast the sends below however slow the machine, then freed in the limiter.
    const throttle = ctx.app.get(WebhookThrottle);
    await throttle.hold(ctx.slackUrl, 600_000);
    const freeSlot = (): Promise<void> => throttle.release(ctx.slackUrl);
    for (let i = 0; i < 20; i += 1) {
      const busy = await ctx.app.get(DeliveryService).send(id).catch((error: unknown) => error);
      expect(busy).toBeInstanceOf(RetryLaterError);
    }
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(ctx.slackBodies).toHaveLength(0);

    // Slack answers 429: an attempt, counted apart; the job waits Retry-After.
    await freeSlot();
    ctx.slackStatuses.push(429);
    const limited = await ctx.app.get(DeliveryService).send(id).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RetryLaterError);
    expect((limited as RetryLaterError).delayMs).toBe(1000);
    const counted = await ctx.sql.query(`SELECT status, attempts, "rateLimited" FROM deliveries WHERE id = $1`, [id]);
    expect(counted.rows[0]).toEqual({ status: 'pending', attempts: 1, rateLimited: 1 });

    // Many 429s earlier: a 5xx now is the first failed attempt, not the last.
    await ctx.sql.query(`UPDATE deliveries SET attempts = 30, "rateLimited" = 30 WHERE id = $1`, [id]);
    await freeSlot();
    ctx.slackStatuses.push(500);
    await expect(ctx.app.get(DeliveryService).send(id)).rejects.not.toBeInstanceOf(PermanentError);
    expect(await ctx.deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 31 });
    // Failures still give up at DELIVERY_SEND_ATTEMPTS, 429s aside.
    await ctx.sql.query(`UPDATE deliveries SET attempts = $2 WHERE id = $1`, [id, 30 + DELIVERY_SEND_ATTEMPTS - 1]);
    await freeSlot();
    ctx.slackStatuses.push(500);
    await ctx.app.get(DeliveryService).send(id).catch(() => undefined);
    expect((await ctx.deliveryRow(id)).lastError).toMatch(new RegExp(`^gave up after ${DELIVERY_SEND_ATTEMPTS} failed attempts: `));
  });

  it('should give up a delivery Slack still rate-limits a day after its digest was built', async () => {
    const id = await ctx.oneDelivery('slack');
    await ctx.sql.query(`UPDATE deliveries SET "createdAt" = $2::timestamptz - interval '23 hours 59 minutes 59 seconds' WHERE id = $1`, [
      id,
      ctx.app.get(Clock).now(),
    ]);
    ctx.slackStatuses.push(429);
    const error = await ctx.app.get(DeliveryService).send(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    const row = await ctx.deliveryRow(id);
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/^gave up: still rate-limited 24 h after the digest was built/);
  });
});
