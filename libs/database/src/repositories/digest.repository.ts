import { Injectable } from '@nestjs/common';
import { toWebSearchQuery } from '@libs/domain';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, LessThan, Repository } from 'typeorm';
import {
  DeliveryChannel,
  DeliveryEntity,
  DigestEntity,
  DigestPaperEntity,
  DigestStatus,
  SubscriptionEntity,
} from '../entities';

export interface DigestClaim {
  subscriptionId: string;
  periodKey: string;
  dueAt: Date;
  plannedFor: Date;
}

export interface DigestSelection {
  /** Papers listed after this instant are candidates (the lookback window). */
  listedAfter: Date;
  listedUntil: Date;
}

export interface BuiltDigest {
  status: DigestStatus;
  deliveryIds: string[];
}

@Injectable()
export class DigestRepository {
  constructor(@InjectRepository(DigestEntity) private readonly digests: Repository<DigestEntity>) {}

  /**
   * Claims the digests of due periods; the (subscription, period) key makes a second claim a no-op,
   * whichever replica or re-run tick tries. Returns the ids of the digests this call created.
   */
  async claim(claims: DigestClaim[]): Promise<string[]> {
    if (claims.length === 0) {
      return [];
    }
    const result = await this.digests
      .createQueryBuilder()
      .insert()
      .into(DigestEntity)
      .values(claims.map((claim) => ({ ...claim, status: 'pending' as const })))
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as { id: string }[]).map((row) => row.id);
  }

  findById(id: string): Promise<DigestEntity | null> {
    return this.digests.findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<DigestEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.digests.findBy({ id: In(ids) });
  }

  /**
   * Builds a pending digest once: picks the matching papers never delivered to the subscription,
   * records them and one delivery per channel, all in one transaction. Running it again returns
   * the deliveries already recorded.
   */
  async build(digestId: string, window: DigestSelection, now: Date): Promise<BuiltDigest> {
    return this.digests.manager.transaction(async (manager) => {
      const digest = await manager.findOne(DigestEntity, {
        where: { id: digestId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!digest) {
        return { status: 'failed', deliveryIds: [] };
      }
      if (digest.status !== 'pending') {
        const existing = await manager.findBy(DeliveryEntity, { digestId });
        return { status: digest.status, deliveryIds: existing.map((d) => d.id) };
      }
      const subscription = await manager.findOneByOrFail(SubscriptionEntity, { id: digest.subscriptionId });
      // Cancelled or paused since the claim: nothing is owed for this period.
      const wanted = subscription.status === 'active' && subscription.frequency !== 'paused';
      const { paperIds, total } = wanted
        ? await selectPapers(manager, subscription, window)
        : { paperIds: [], total: 0 };
      if (paperIds.length === 0) {
        await manager.update(DigestEntity, { id: digestId }, { status: 'empty', builtAt: now });
        return { status: 'empty', deliveryIds: [] };
      }
      await manager
        .createQueryBuilder()
        .insert()
        .into(DigestPaperEntity)
        .values(
          paperIds.map((paperId, index) => ({ digestId, paperId, subscriptionId: subscription.id, rank: index + 1 })),
        )
        .execute();
      const channels = channelsOf(subscription);
      const deliveryIds: string[] = [];
      if (channels.length > 0) {
        const deliveries = await manager
          .createQueryBuilder()
          .insert()
          .into(DeliveryEntity)
          .values(channels.map((channel) => ({ digestId, channel, status: 'pending' as const })))
          .returning(['id'])
          .execute();
        deliveryIds.push(...(deliveries.raw as { id: string }[]).map((row) => row.id));
      }
      // A feed-only subscription's digest is delivered once recorded: its feed lists it.
      const status: DigestStatus = channels.length > 0 ? 'ready' : 'sent';
      await manager.update(
        DigestEntity,
        { id: digestId },
        { status, builtAt: now, paperCount: paperIds.length, omittedCount: total - paperIds.length },
      );
      return { status, deliveryIds };
    });
  }

  /** What a digest of this subscription would hold at the end of this window, without recording anything. */
  async preview(
    subscription: SubscriptionEntity,
    window: DigestSelection,
  ): Promise<{ paperIds: string[]; total: number }> {
    return selectPapers(this.digests.manager, subscription, window);
  }

  /** The papers of a digest, in digest order. */
  async paperIdsOf(digestId: string): Promise<string[]> {
    const rows = await this.digests.manager.find(DigestPaperEntity, { where: { digestId }, order: { rank: 'ASC' } });
    return rows.map((row) => row.paperId);
  }

  findDelivery(id: string): Promise<DeliveryEntity | null> {
    return this.digests.manager.findOneBy(DeliveryEntity, { id });
  }

  deliveriesOf(digestIds: string[]): Promise<DeliveryEntity[]> {
    return digestIds.length === 0
      ? Promise.resolve([])
      : this.digests.manager.findBy(DeliveryEntity, { digestId: In(digestIds) });
  }

  /**
   * Takes a delivery for sending. Only a pending one can be taken, so a job run twice (a stalled
   * worker, a re-queue) sends once. Returns null when it is not pending.
   */
  async claimDelivery(id: string): Promise<DeliveryEntity | null> {
    const rows = await this.digests.manager.query<[DeliveryEntity[], number]>(
      `UPDATE "deliveries" SET "status" = 'sending', "attempts" = "attempts" + 1, "updatedAt" = now()
       WHERE "id" = $1 AND "status" = 'pending' RETURNING *`,
      [id],
    );
    return rows[0][0] ?? null;
  }

  /** Counts the messages of a split delivery accepted so far, while the delivery is claimed. */
  async recordPartsSent(id: string, partsSent: number): Promise<void> {
    await this.digests.manager.query(
      `UPDATE "deliveries" SET "partsSent" = $2 WHERE "id" = $1 AND "status" = 'sending'`,
      [id, partsSent],
    );
  }

  /**
   * Records the outcome of a send and settles the digest once no delivery is left in flight. Only a
   * claimed row takes an outcome: a worker whose claim was released as dead cannot overwrite the re-send's.
   */
  async finishDelivery(
    id: string,
    outcome: { status: 'sent' | 'failed' | 'pending'; providerResponse?: string; error?: string | null },
    now: Date,
  ): Promise<void> {
    // The digest row is locked first: two channels finishing at once would otherwise both see the
    // other still sending, and the digest would never be settled.
    await this.digests.manager.transaction(async (manager) => {
      await manager.query(
        `SELECT 1 FROM "digests" WHERE "id" = (SELECT "digestId" FROM "deliveries" WHERE "id" = $1) FOR UPDATE`,
        [id],
      );
      await manager.query(
        `WITH finished AS (
         UPDATE "deliveries" SET "status" = $2, "providerResponse" = $3, "lastError" = $4,
           "sentAt" = CASE WHEN $2 = 'sent' THEN $5::timestamptz ELSE NULL END, "updatedAt" = now()
         WHERE "id" = $1 AND "status" = 'sending' RETURNING "digestId"
       ),
       siblings AS (
         SELECT d."status" FROM "deliveries" d, finished f WHERE d."digestId" = f."digestId" AND d."id" <> $1
         UNION ALL SELECT $2::text
       )
       UPDATE "digests" SET "status" = CASE WHEN EXISTS (SELECT 1 FROM siblings WHERE "status" = 'sent') THEN 'sent' ELSE 'failed' END
       WHERE "id" = (SELECT "digestId" FROM finished)
         AND NOT EXISTS (SELECT 1 FROM siblings WHERE "status" IN ('pending', 'sending'))`,
        [id, outcome.status, outcome.providerResponse ?? null, outcome.error ?? null, now],
      );
    });
  }

  /** Digests claimed but not built for a while: their build job was lost (Redis restart) or failed. */
  async findStalePending(olderThan: Date): Promise<string[]> {
    const rows = await this.digests.find({
      select: { id: true },
      where: { status: 'pending', createdAt: LessThan(olderThan) },
    });
    return rows.map((row) => row.id);
  }

  /**
   * Deliveries whose job was lost: pending a while after their last change, or claimed ("sending") by a
   * worker that died before recording the outcome. A dead claim is released back to pending: the send
   * may have happened, so this is where at-least-once can duplicate, at most once per crashed send.
   */
  async findStaleDeliveries(pendingSince: Date, claimedSince: Date): Promise<string[]> {
    const [released] = await this.digests.manager.query<[{ id: string }[], number]>(
      `UPDATE "deliveries" SET "status" = 'pending', "lastError" = 'claim released: the sending worker stopped', "updatedAt" = now()
       WHERE "status" = 'sending' AND "updatedAt" < $1 RETURNING "id"`,
      [claimedSince],
    );
    const lost = await this.digests.manager.find(DeliveryEntity, {
      select: { id: true },
      where: { status: 'pending', updatedAt: LessThan(pendingSince) },
    });
    return [...released, ...lost].map((row) => row.id);
  }
}

/** The push channels a digest goes to; the personal feed needs none, it reads the digest's papers. */
function channelsOf(subscription: SubscriptionEntity): DeliveryChannel[] {
  const channels: DeliveryChannel[] = [];
  if (subscription.email && !subscription.emailSuppressedAt) {
    channels.push('email');
  }
  if (subscription.slackWebhookUrl && !subscription.slackDisabledAt) {
    channels.push('slack');
  }
  return channels;
}

/**
 * The digest query: ready papers in the window, matching any topic or keyword (everything when the
 * subscription has neither), with none of its excluded topics and at least its minimum upvotes,
 * never put in an earlier digest of this subscription, ranked by upvotes
 * then match strength, capped at maxPapers. One statement, served by the digest_papers unique index.
 */
async function selectPapers(
  manager: EntityManager,
  subscription: SubscriptionEntity,
  window: DigestSelection,
): Promise<{ paperIds: string[]; total: number }> {
  const params: unknown[] = [subscription.id, window.listedAfter, window.listedUntil, subscription.topics];
  const keywordQueries = subscription.keywords.map((keyword) => {
    // The same reading of a query as the papers search: hyphenated words match with or without the hyphen.
    params.push(toWebSearchQuery(keyword));
    return `websearch_to_tsquery('english', $${params.length})`;
  });
  const keywordQuery = keywordQueries.length > 0 ? `(${keywordQueries.join(' || ')})` : null;
  params.push(subscription.excludeTopics, subscription.minUpvotes);
  const excluded = params.length - 1;
  const minUpvotes = params.length;
  const filters: string[] = [];
  if (subscription.topics.length > 0) {
    filters.push(`EXISTS (SELECT 1 FROM "paper_topics" t WHERE t."paperId" = p."id" AND t."topic" = ANY($4))`);
  }
  if (keywordQuery) {
    filters.push(`p."searchVector" @@ ${keywordQuery}`);
  }
  params.push(subscription.maxPapers);
  const rows = await manager.query<{ id: string; total: string }[]>(
    `SELECT p."id", count(*) OVER () AS "total"
     FROM "papers" p
     WHERE p."readyAt" IS NOT NULL
       AND p."listedAt" > $2 AND p."listedAt" <= $3
       AND NOT EXISTS (SELECT 1 FROM "digest_papers" d WHERE d."subscriptionId" = $1 AND d."paperId" = p."id")
       AND NOT EXISTS (SELECT 1 FROM "paper_topics" x WHERE x."paperId" = p."id" AND x."topic" = ANY($${excluded}))
       AND p."upvotes" >= $${minUpvotes}
       ${filters.length > 0 ? `AND (${filters.join(' OR ')})` : ''}
     ORDER BY p."upvotes" DESC,
       COALESCE((SELECT sum(t."score") FROM "paper_topics" t WHERE t."paperId" = p."id" AND t."topic" = ANY($4)), 0)
       ${keywordQuery ? `+ ts_rank(p."searchVector", ${keywordQuery})` : ''} DESC,
       p."listedAt" DESC, p."id"
     LIMIT $${params.length}`,
    params,
  );
  return { paperIds: rows.map((row) => row.id), total: rows.length > 0 ? Number(rows[0].total) : 0 };
}
