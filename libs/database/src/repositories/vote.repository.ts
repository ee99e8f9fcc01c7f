import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type Vote = 'up' | 'down';
export type VoteSource = 'digest' | 'explore' | 'site' | 'seed';

/** A stored vote with the paper it is on. */
export interface StoredVote {
  paper: { id: string; arxivId: string | null; doi: string | null; title: string };
  vote: Vote;
  source: VoteSource;
  createdAt: Date;
  updatedAt: Date;
}

interface VoteRow {
  paperId: string;
  arxivId: string | null;
  doi: string | null;
  title: string;
  vote: Vote;
  source: VoteSource;
  createdAt: Date;
  updatedAt: Date;
}

const SELECT_VOTES = `
  SELECT v."paperId", p."arxivId", p."doi", p."title", v."vote", v."source", v."createdAt", v."updatedAt"
    FROM "paper_votes" v JOIN "papers" p ON p."id" = v."paperId"`;

/** A subscriber's votes on papers: one row per subscription and paper, the last vote wins. */
@Injectable()
export class VoteRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a vote (again: idempotent). The first vote or seed of a subscription whose ranking was left
   * automatic makes it for-you, in the same transaction. Null when the paper is gone (merged into another
   * since it was read): votes have no foreign key to papers, so the paper's row is locked against a merge's
   * FOR UPDATE and DELETE first. A merge under way finishes first, or waits and then moves this vote too.
   */
  async record(
    subscriptionId: string,
    paperId: string,
    vote: Vote,
    source: VoteSource,
    now: Date,
  ): Promise<StoredVote | null> {
    return this.dataSource.transaction(async (manager) => {
      const paper = await manager.query<unknown[]>(`SELECT 1 FROM "papers" WHERE "id" = $1 FOR KEY SHARE`, [paperId]);
      if (paper.length === 0) {
        return null;
      }
      await manager.query(
        `INSERT INTO "paper_votes" ("subscriptionId", "paperId", "vote", "source", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT ("subscriptionId", "paperId") DO UPDATE
           SET "vote" = EXCLUDED."vote", "source" = EXCLUDED."source", "updatedAt" = EXCLUDED."updatedAt",
               "recordedOrder" = nextval('paper_votes_recorded_order')`,
        [subscriptionId, paperId, vote, source, now],
      );
      await manager.query(`UPDATE "subscriptions" SET "ranking" = 'for-you' WHERE "id" = $1 AND "ranking" IS NULL`, [
        subscriptionId,
      ]);
      const rows = await manager.query<VoteRow[]>(
        `${SELECT_VOTES} WHERE v."subscriptionId" = $1 AND v."paperId" = $2`,
        [subscriptionId, paperId],
      );
      return toVote(rows[0]);
    });
  }

  /**
   * Adds seed papers as up-votes (source 'seed'), all in one transaction; a paper already voted on keeps
   * its vote. Like a first vote, makes an automatic ranking for-you. Returns how many were added.
   */
  async addSeeds(subscriptionId: string, paperIds: readonly string[], now: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const added = await manager.query<{ paperId: string }[]>(
        `INSERT INTO "paper_votes" ("subscriptionId", "paperId", "vote", "source", "createdAt", "updatedAt")
         SELECT $1, "paperId", 'up', 'seed', $3, $3 FROM unnest($2::uuid[]) AS "paperId"
         ON CONFLICT ("subscriptionId", "paperId") DO NOTHING
         RETURNING "paperId"`,
        [subscriptionId, paperIds, now],
      );
      if (paperIds.length > 0) {
        await manager.query(`UPDATE "subscriptions" SET "ranking" = 'for-you' WHERE "id" = $1 AND "ranking" IS NULL`, [
          subscriptionId,
        ]);
      }
      return added.length;
    });
  }

  /** Takes a vote back ("none"); nothing to take back is fine. */
  async remove(subscriptionId: string, paperId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM "paper_votes" WHERE "subscriptionId" = $1 AND "paperId" = $2`, [
      subscriptionId,
      paperId,
    ]);
  }

  /**
   * A subscription's votes, the latest first: by time, then (two votes at one instant) the one recorded last,
   * then by paper, so the order is the same on every read.
   */
  async list(subscriptionId: string): Promise<StoredVote[]> {
    const rows = await this.dataSource.query<VoteRow[]>(
      `${SELECT_VOTES} WHERE v."subscriptionId" = $1
        ORDER BY v."updatedAt" DESC, v."recordedOrder" DESC NULLS LAST, v."paperId"`,
      [subscriptionId],
    );
    return rows.map(toVote);
  }

  /** The subscription's votes on `paperIds` only (a page's vote buttons), by paper id. */
  async votesOn(subscriptionId: string, paperIds: readonly string[]): Promise<Map<string, Vote>> {
    if (paperIds.length === 0) {
      return new Map();
    }
    const rows = await this.dataSource.query<{ paperId: string; vote: Vote }[]>(
      `SELECT "paperId", "vote" FROM "paper_votes" WHERE "subscriptionId" = $1 AND "paperId" = ANY($2::uuid[])`,
      [subscriptionId, paperIds],
    );
    return new Map(rows.map((row) => [row.paperId, row.vote]));
  }
}

function toVote(row: VoteRow): StoredVote {
  return {
    paper: { id: row.paperId, arxivId: row.arxivId, doi: row.doi, title: row.title },
    vote: row.vote,
    source: row.source,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
