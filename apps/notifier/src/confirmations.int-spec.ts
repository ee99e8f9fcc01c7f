import { emailChangeConfirmUrl } from '@libs/domain';
import { SubscriptionRepository } from '@libs/database';
import { now, useNotifier } from '../../../test/support/notifier-context';
import { ConfirmationService } from './confirmation.service';

/** Confirmation emails: of pending subscriptions only, and of a new address. */
describe('Notifier ledger', () => {
  const ctx = useNotifier('confirmations');

  it('should send the confirmation email of a pending subscription only', async () => {
    const pending = await ctx.app.get(SubscriptionRepository).create({
      email: 'new@example.org',
      slackWebhookUrl: null,
      status: 'pending',
      topics: ['llm'],
      keywords: [],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 8,
      maxPapers: 20,
      activatedAt: null,
    });
    expect(await ctx.app.get(ConfirmationService).send(pending.id)).toBe('sent');
    expect(ctx.received[0].to).toEqual(['new@example.org']);
    expect(ctx.received[0].mail.text).toMatch(/https:\/\/papers\.example\.org\/subscriptions\/confirm\?token=\S+/);
    await ctx.app.get(SubscriptionRepository).activate(pending.id, now);
    expect(await ctx.app.get(ConfirmationService).send(pending.id)).toBe('skipped');
  });

  it('should send the confirmation of a new address to that address, with a link naming it', async () => {
    const subscription = await ctx.newSubscription({ topics: ['llm'] });
    await ctx.sql.query(`UPDATE subscriptions SET "pendingEmail" = 'next@example.org' WHERE id = $1`, [subscription.id]);
    expect(await ctx.app.get(ConfirmationService).sendEmailChange(subscription.id, now)).toBe('sent');
    expect(ctx.received[0].to).toEqual(['next@example.org']);
    const link = emailChangeConfirmUrl('https://papers.example.org', process.env.APP_SECRET as string, subscription.id, 'next@example.org', now);
    expect(ctx.received[0].mail.text).toContain(link);
    // Confirmed (or withdrawn) since: nothing to send.
    await ctx.sql.query(`UPDATE subscriptions SET "pendingEmail" = NULL WHERE id = $1`, [subscription.id]);
    expect(await ctx.app.get(ConfirmationService).sendEmailChange(subscription.id, now)).toBe('skipped');
  });
});
