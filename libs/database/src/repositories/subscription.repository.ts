import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SubscriptionEntity } from '../entities';

export type NewSubscription = Pick<
  SubscriptionEntity,
  | 'email'
  | 'slackWebhookUrl'
  | 'status'
  | 'topics'
  | 'keywords'
  | 'frequency'
  | 'weekday'
  | 'timezone'
  | 'sendHour'
  | 'maxPapers'
  | 'activatedAt'
> &
  Partial<Pick<SubscriptionEntity, 'excludeTopics' | 'minUpvotes' | 'ranking' | 'followedAuthors'>>;

/** Channel fields an edit may set: the sealed webhook and its disabled state, the address awaiting confirmation. */
export type ChannelChanges = Partial<
  Pick<
    SubscriptionEntity,
    | 'email'
    | 'pendingEmail'
    | 'pendingEmailConfirmedAt'
    | 'pendingEmailApprovedAt'
    | 'slackWebhookUrl'
    | 'slackDisabledAt'
    | 'slackDisabledReason'
    | 'hardBounces'
    | 'emailSuppressedAt'
  >
>;

/** A subscription the tick reads, with its last digests (newest first). */
export type DueSubscription = SubscriptionEntity & { recentDigests: { key: string; dueAt: Date }[] };

/** How many of a subscription's last digests the tick reads: enough to see every key a due period can clash with. */
const RECENT_DIGESTS = 3;

/** An address change needs the current address's approval: there is one, confirmed and still receiving mail. */
const NEEDS_APPROVAL = `("status" = 'active' AND "email" IS NOT NULL AND "emailSuppressedAt" IS NULL AND "email" <> "pendingEmail")`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class SubscriptionRepository {
  constructor(@InjectRepository(SubscriptionEntity) private readonly subscriptions: Repository<SubscriptionEntity>) {}

  create(subscription: NewSubscription): Promise<SubscriptionEntity> {
    return this.subscriptions.save(this.subscriptions.create(subscription));
  }

  /**
   * A pending email subscription: the one still awaiting confirmation for this address takes the request's
   * choices (every confirmation email of an address confirms it), else a new one: a lookup and one write
   * whatever the address's history, so the time of the answer tells little.
   */
  async createPending(subscription: NewSubscription & { email: string }): Promise<SubscriptionEntity> {
    const existing = await this.subscriptions.findOne({
      where: { email: subscription.email, status: 'pending' },
      order: { createdAt: 'DESC' },
    });
    if (!existing) {
      return this.create(subscription);
    }
    return this.subscriptions.save(this.subscriptions.merge(existing, { ...subscription, id: existing.id }));
  }

  /**
   * Revokes every manage, feed and digest-view link signed so far (and a pending address change, whose
   * confirmation links came from such a link); returns the row with its new version, or null when it is gone.
   */
  async raiseLinkVersion(id: string): Promise<SubscriptionEntity | null> {
    await this.subscriptions.query(
      `UPDATE "subscriptions" SET "linkVersion" = "linkVersion" + 1, "pendingEmail" = NULL,
         "pendingEmailConfirmedAt" = NULL, "pendingEmailApprovedAt" = NULL, "updatedAt" = now()
       WHERE "id" = $1`,
      [id],
    );
    return this.findById(id);
  }

  /**
   * Records a click on one of the two links of an address change (sent to the new address, or to the current
   * one to approve it), if `address` is still the one awaiting confirmation; then makes the change when both
   * were clicked, or only the new address's when there is no current address to ask (none, or suppressed, or a
   * subscription never confirmed). Returns what the subscription's address change now is.
   */
  async recordAddressClick(
    id: string,
    address: string,
    sentTo: 'new' | 'current',
    now: Date,
  ): Promise<'changed' | 'waiting' | 'stale'> {
    const column = sentTo === 'new' ? '"pendingEmailConfirmedAt"' : '"pendingEmailApprovedAt"';
    const [, clicked] = await this.subscriptions.query<[unknown[], number]>(
      `UPDATE "subscriptions" SET ${column} = COALESCE(${column}, $3), "updatedAt" = now()
       WHERE "id" = $1 AND "pendingEmail" = $2 AND "status" <> 'unsubscribed' RETURNING "id"`,
      [id, address, now],
    );
    if (clicked === 0) {
      return 'stale';
    }
    return (await this.confirmPendingEmail(id, address, now)) ? 'changed' : 'waiting';
  }

  /** Null for an unknown id, and for a string that is not a UUID at all (ids come from links). */
  findById(id: string): Promise<SubscriptionEntity | null> {
    return UUID.test(id) ? this.subscriptions.findOneBy({ id }) : Promise.resolve(null);
  }

  /**
   * Active subscriptions the tick has work for at `now` (their planAt has come, or was reset), in id
   * order, a page at a time, so a tick never holds all of them in memory. Each comes with its last
   * digests (newest first, by send time: one probe of the digests' (subscription, dueAt) index), which
   * decide what is still owed.
   */
  async findDuePage(now: Date, afterId: string | null, limit: number): Promise<DueSubscription[]> {
    const query = this.subscriptions
      .createQueryBuilder('s')
      .addSelect(
        `(SELECT COALESCE(json_agg(json_build_object('key', r."periodKey", 'dueAt', r."dueAt") ORDER BY r."dueAt" DESC), '[]')
          FROM (SELECT "periodKey", "dueAt" FROM "digests" WHERE "subscriptionId" = s.id ORDER BY "dueAt" DESC LIMIT ${RECENT_DIGESTS}) r)`,
        'recent_digests',
      )
      .where(`s.status = 'active'`)
      .andWhere('(s."planAt" IS NULL OR s."planAt" <= :now)', { now });
    if (afterId) {
      query.andWhere('s.id > :afterId', { afterId });
    }
    const { entities, raw } = await query
      .orderBy('s.id', 'ASC')
      .limit(limit)
      .getRawAndEntities<{ recent_digests: { key: string; dueAt: string }[] }>();
    return entities.map((subscription, index) => ({
      ...subscription,
      recentDigests: raw[index].recent_digests.map((digest) => ({ key: digest.key, dueAt: new Date(digest.dueAt) })),
    }));
  }

  /**
   * Records when the tick next has work for each subscription. A subscription whose schedule changed
   * since it was read keeps the reset the change made (the trigger of SubscriptionPlanAt), and is
   * planned afresh at the next tick.
   */
  async setPlanAt(plans: { subscription: SubscriptionEntity; at: Date | null }[]): Promise<void> {
    if (plans.length === 0) {
      return;
    }
    const column = <T>(pick: (subscription: SubscriptionEntity) => T): T[] =>
      plans.map(({ subscription }) => pick(subscription));
    await this.subscriptions.query(
      `UPDATE "subscriptions" s SET "planAt" = v."at"
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::int[], $7::timestamptz[])
         AS v("id", "at", "frequency", "timezone", "sendHour", "weekday", "activatedAt")
       WHERE s."id" = v."id" AND s."status" = 'active' AND s."frequency" = v."frequency" AND s."timezone" = v."timezone"
         AND s."sendHour" = v."sendHour" AND s."weekday" = v."weekday" AND s."activatedAt" IS NOT DISTINCT FROM v."activatedAt"`,
      [
        column((s) => s.id),
        plans.map(({ at }) => at),
        column((s) => s.frequency),
        column((s) => s.timezone),
        column((s) => s.sendHour),
        column((s) => s.weekday),
        column((s) => s.activatedAt),
      ],
    );
  }

  /**
   * Replaces the subscriber's choices, and the channel fields given (an edited webhook, an address awaiting
   * confirmation); returns the updated row, or null when it is gone.
   */
  async updatePreferences(
    id: string,
    preferences: Pick<
      SubscriptionEntity,
      | 'topics'
      | 'keywords'
      | 'excludeTopics'
      | 'minUpvotes'
      | 'frequency'
      | 'weekday'
      | 'timezone'
      | 'sendHour'
      | 'maxPapers'
    > &
      Partial<Pick<SubscriptionEntity, 'ranking' | 'followedAuthors'>>,
    channels: ChannelChanges = {},
  ): Promise<SubscriptionEntity | null> {
    await this.subscriptions.update({ id }, { ...preferences, ...channels });
    return this.findById(id);
  }

  /**
   * Makes the address awaiting confirmation the subscription's address, with a clean bounce record, and
   * activates a subscription still pending (the address is confirmed), once the clicks it needs were made.
   * False when that address is no longer the one awaiting confirmation, a click is missing, or the
   * subscription is cancelled.
   */
  private async confirmPendingEmail(id: string, address: string, now: Date): Promise<boolean> {
    const rows = await this.subscriptions.query<[unknown[], number]>(
      `UPDATE "subscriptions" SET "email" = "pendingEmail", "pendingEmail" = NULL, "hardBounces" = 0,
         "emailSuppressedAt" = NULL, "pendingEmailConfirmedAt" = NULL, "pendingEmailApprovedAt" = NULL,
         "activatedAt" = CASE WHEN "status" = 'pending' THEN $3 ELSE "activatedAt" END,
         "status" = CASE WHEN "status" = 'pending' THEN 'active' ELSE "status" END,
         "updatedAt" = now()
       WHERE "id" = $1 AND "pendingEmail" = $2 AND "status" <> 'unsubscribed'
         AND "pendingEmailConfirmedAt" IS NOT NULL
         AND ("pendingEmailApprovedAt" IS NOT NULL OR NOT ${NEEDS_APPROVAL})
       RETURNING "id"`,
      [id, address, now],
    );
    return rows[1] > 0;
  }

  /**
   * An email was accepted: the hard bounces counted so far were not consecutive. Writes only when there is
   * something to reset, so a fan-out costs no statement per email.
   */
  async resetHardBounces(id: string): Promise<void> {
    await this.subscriptions.query(
      `UPDATE "subscriptions" SET "hardBounces" = 0 WHERE "id" = $1 AND "hardBounces" > 0 AND "emailSuppressedAt" IS NULL`,
      [id],
    );
  }

  /** Counts a consecutive hard bounce; true when this one reached the limit and suppressed the address. */
  async recordHardBounce(id: string, maxBounces: number, now: Date): Promise<boolean> {
    const rows = await this.subscriptions.query<[{ suppressedNow: boolean }[], number]>(
      `UPDATE "subscriptions" SET "hardBounces" = "hardBounces" + 1,
         "emailSuppressedAt" = CASE WHEN "hardBounces" + 1 >= $2 THEN COALESCE("emailSuppressedAt", $3) ELSE "emailSuppressedAt" END,
         "updatedAt" = now()
       WHERE "id" = $1 RETURNING "emailSuppressedAt" = $3 AS "suppressedNow"`,
      [id, maxBounces, now],
    );
    return rows[0][0]?.suppressedNow === true;
  }

  async disableSlack(id: string, reason: string, now: Date): Promise<void> {
    await this.subscriptions.update({ id }, { slackDisabledAt: now, slackDisabledReason: reason });
  }

  /** pending -> active; true when this call activated it (a second click changes nothing). */
  async activate(id: string, now: Date): Promise<boolean> {
    const result = await this.subscriptions.update({ id, status: 'pending' }, { status: 'active', activatedAt: now });
    return (result.affected ?? 0) > 0;
  }

  /** Idempotent: unsubscribing twice leaves the first time recorded. */
  async unsubscribe(id: string, now: Date): Promise<void> {
    await this.subscriptions
      .createQueryBuilder()
      .update()
      .set({ status: 'unsubscribed', unsubscribedAt: () => `COALESCE("unsubscribedAt", :now)` })
      .setParameter('now', now)
      .where('id = :id', { id })
      .execute();
  }
}
