import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A seed paper asked for by arXiv id before Paperboy knew it: looked up, it becomes a seed up-vote. */
export interface PendingSeed {
  arxivId: string;
  requestedAt: Date;
}

/** What "reset my profile" removed. */
export interface ProfileReset {
  votes: number;
  pendingSeeds: number;
  model: boolean;
}

/**
 * A subscriber's relevance profile as a whole (docs/relevance.md): seeds waiting for their paper, and the
 * reset and erase that remove everything the subscriber taught Paperboy.
 */
@Injectable()
export class ProfileRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Remembers arXiv ids to seed once their papers exist. Returns the ids that need a lookup: the ones new to
   * this subscription's pending seeds, and the ones asked for before `askAgainBefore` (their lookup may have
   * failed; asking again restarts their week). Ids asked for since stay as they are: arXiv was asked then.
   */
  async addPendingSeeds(
    subscriptionId: string,
    arxivIds: readonly string[],
    now: Date,
    askAgainBefore: Date = now,
  ): Promise<string[]> {
    if (arxivIds.length === 0) {
      return [];
    }
    const rows = await this.dataSource.query<{ arxivId: string }[]>(
      `INSERT INTO "pending_seeds" ("subscriptionId", "arxivId", "requestedAt")
       SELECT $1, "arxivId", $3 FROM unnest($2::text[]) AS "arxivId"
       ON CONFLICT ("subscriptionId", "arxivId") DO UPDATE SET "requestedAt" = EXCLUDED."requestedAt"
         WHERE "pending_seeds"."requestedAt" < $4
       RETURNING "arxivId"`,
      [subscriptionId, arxivIds, now, askAgainBefore],
    );
    return rows.map((row) => row.arxivId).sort();
  }

  /** A subscription's seeds still waiting for their paper, oldest first. */
  async pendingSeeds(subscriptionId: string): Promise<PendingSeed[]> {
    return this.dataSource.query<PendingSeed[]>(
      `SELECT "arxivId", "requestedAt" FROM "pending_seeds" WHERE "subscriptionId" = $1 ORDER BY "requestedAt", "arxivId"`,
      [subscriptionId],
    );
  }

  /**
   * Turns the pending seeds whose paper now exists into seed up-votes (a paper already voted on keeps its
   * vote) and drops the ones asked for before `expiredBefore` that were never found, in one statement:
   * run twice, the second run finds nothing. Like a first seed, makes an automatic ranking for-you.
   * Returns the subscriptions that got a seed (their models want training).
   */
  async resolvePendingSeeds(now: Date, expiredBefore: Date): Promise<string[]> {
    const rows = await this.dataSource.query<{ subscriptionId: string }[]>(
      `WITH "found" AS (
         SELECT s."subscriptionId", s."arxivId", p."id" AS "paperId"
           FROM "pending_seeds" s JOIN "papers" p ON p."arxivId" = s."arxivId"
       ), "added" AS (
         INSERT INTO "paper_votes" ("subscriptionId", "paperId", "vote", "source", "createdAt", "updatedAt")
         SELECT DISTINCT ON ("subscriptionId", "paperId") "subscriptionId", "paperId", 'up', 'seed', $1::timestamptz, $1::timestamptz
           FROM "found"
         ON CONFLICT ("subscriptionId", "paperId") DO NOTHING
         RETURNING "subscriptionId"
       ), "resolved" AS (
         DELETE FROM "pending_seeds" s USING "found" f
          WHERE s."subscriptionId" = f."subscriptionId" AND s."arxivId" = f."arxivId"
       ), "expired" AS (
         DELETE FROM "pending_seeds" s
          WHERE s."requestedAt" < $2 AND NOT EXISTS (SELECT 1 FROM "papers" p WHERE p."arxivId" = s."arxivId")
       ), "ranked" AS (
         UPDATE "subscriptions" SET "ranking" = 'for-you'
          WHERE "id" IN (SELECT "subscriptionId" FROM "added") AND "ranking" IS NULL
       )
       SELECT DISTINCT "subscriptionId" FROM "added" ORDER BY "subscriptionId"`,
      [now, expiredBefore],
    );
    return rows.map((row) => row.subscriptionId);
  }

  /** Takes back these votes of a subscription (seeds included); returns how many there were. */
  async removeVotes(subscriptionId: string, paperIds: readonly string[]): Promise<number> {
    if (paperIds.length === 0) {
      return 0;
    }
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM "paper_votes" WHERE "subscriptionId" = $1 AND "paperId" = ANY($2::uuid[])`,
      [subscriptionId, paperIds],
    );
    return count;
  }

  /** When the subscription's model was last trained; null without one. */
  async modelTrainedAt(subscriptionId: string): Promise<Date | null> {
    const rows = await this.dataSource.query<{ trainedAt: Date }[]>(
      `SELECT "trainedAt" FROM "subscriber_models" WHERE "subscriptionId" = $1`,
      [subscriptionId],
    );
    return rows[0]?.trainedAt ?? null;
  }

  /** "Reset my profile": the votes, seeds (stored and pending) and model go, in one transaction; the subscription stays. */
  async reset(subscriptionId: string): Promise<ProfileReset> {
    return this.dataSource.transaction(async (manager) => {
      const deleted = async (table: string): Promise<number> => {
        const [, count] = await manager.query<[unknown[], number]>(
          `DELETE FROM "${table}" WHERE "subscriptionId" = $1`,
          [subscriptionId],
        );
        return count;
      };
      return {
        votes: await deleted('paper_votes'),
        pendingSeeds: await deleted('pending_seeds'),
        model: (await deleted('subscriber_models')) > 0,
      };
    });
  }

  /**
   * "Delete my data": the subscription row and, by its cascades, its votes, pending seeds and model, its
   * digests with the papers each held (the ledger) and their deliveries (with their provider answers and
   * errors, which may name the address); and the mail providers' bounce and complaint events about its
   * addresses, unless another subscription still uses the address. Returns whether there was one.
   */
  async erase(subscriptionId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      // Events name an address, not a subscription: another subscription of the same address keeps them.
      await manager.query(
        `DELETE FROM "mail_events" e USING "subscriptions" s
          WHERE s."id" = $1 AND e."email" IN (s."email", s."pendingEmail")
            AND NOT EXISTS (
              SELECT 1 FROM "subscriptions" o
               WHERE o."id" <> $1 AND (o."email" = e."email" OR o."pendingEmail" = e."email"))`,
        [subscriptionId],
      );
      // digest_papers.subscriptionId has no foreign key of its own (the ledger outlives merges): cleared by hand
      // so nothing of the subscriber is left even if a digest row went missing.
      await manager.query(`DELETE FROM "digest_papers" WHERE "subscriptionId" = $1`, [subscriptionId]);
      const [, count] = await manager.query<[unknown[], number]>(`DELETE FROM "subscriptions" WHERE "id" = $1`, [
        subscriptionId,
      ]);
      return count > 0;
    });
  }
}
