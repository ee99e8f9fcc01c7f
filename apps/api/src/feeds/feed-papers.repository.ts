import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PaperEntity } from '@libs/database';

export interface FeedFilter {
  topic: string | null;
  /** A websearch_to_tsquery query, as PaperRepository.search takes it. */
  query: string | null;
}

export interface PapersVersion {
  /** The latest change to a ready paper (null when there is none). */
  changedAt: Date | null;
  /** How many ready papers there are: a paper folded into another disappears without changing the maximum. */
  count: number;
}

/**
 * The two reads feeds need that PaperRepository has no shape for: the newest matching papers (a search orders
 * by rank, but a feed reader needs today's matches, not the best ones of all time), and a cheap version of the
 * papers table to key rendered feeds by.
 */
@Injectable()
export class FeedPapersRepository {
  constructor(@InjectRepository(PaperEntity) private readonly papers: Repository<PaperEntity>) {}

  /** Ids of the ready papers matching the filter, newest listing first. */
  async newestIds(filter: FeedFilter, limit: number): Promise<string[]> {
    const params: unknown[] = [];
    const where = ['p."readyAt" IS NOT NULL'];
    if (filter.query !== null) {
      params.push(filter.query);
      where.push(`p."searchVector" @@ websearch_to_tsquery('english', $${params.length})`);
    }
    if (filter.topic !== null) {
      params.push(filter.topic);
      where.push(
        `EXISTS (SELECT 1 FROM "paper_topics" t WHERE t."paperId" = p."id" AND t."topic" = $${params.length})`,
      );
    }
    params.push(limit);
    const rows = await this.papers.query<{ id: string }[]>(
      `SELECT p."id" FROM "papers" p WHERE ${where.join(' AND ')} ORDER BY p."listedAt" DESC, p."id" LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => row.id);
  }

  /** When the subscription's newest digest was recorded: its personal feed changed then. */
  async latestDigestAt(subscriptionId: string): Promise<Date | null> {
    const [row] = await this.papers.query<{ at: Date | null }[]>(
      `SELECT max(g."createdAt") AS "at" FROM "digests" g
       WHERE g."subscriptionId" = $1 AND EXISTS (SELECT 1 FROM "digest_papers" d WHERE d."digestId" = g."id")`,
      [subscriptionId],
    );
    return row.at ? new Date(row.at) : null;
  }

  async version(): Promise<PapersVersion> {
    const [row] = await this.papers.query<{ changedAt: Date | null; count: number }[]>(
      `SELECT max("updatedAt") AS "changedAt", count(*)::int AS "count" FROM "papers" WHERE "readyAt" IS NOT NULL`,
    );
    return { changedAt: row.changedAt ? new Date(row.changedAt) : null, count: row.count };
  }
}
