import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import type { TopicTag } from '@libs/domain';
import { PaperRecord, titleKey } from '@libs/domain/papers';
import { PaperEntity, PaperTopicEntity } from '../entities';
import { PAPER_COLUMNS, PaperMergeStatements, replaceTopics } from './paper-merge.statements';

export type PaperWithTopics = PaperEntity & { topics: PaperTopicEntity[] };

export interface PaperSearch {
  /** A websearch_to_tsquery query (quotes, -negation, or). */
  query: string | null;
  topic: string | null;
  /** Papers first listed in [from, to). */
  listed: { from: Date; to: Date } | null;
  minUpvotes: number;
  offset: number;
  limit: number;
  /**
   * Without a query: newest first (the default), or by UTC listing day, newest day first and most upvoted
   * first within a day, as the web pages list days. With a query: best match first, always.
   */
  order?: 'newest' | 'day-then-upvotes';
}

export interface RetagBatch {
  /** The last paper id of the batch: the next batch starts after it. */
  lastId: string;
  papers: number;
  /** Papers whose topics, scores or evidence changed. */
  retagged: number;
  /** Papers whose title key was missing or computed by older rules. */
  titleKeys: number;
}

type Tagger = (paper: PaperRecord) => TopicTag[];

export interface NewestPapersFilter {
  topic: string | null;
  /** A websearch_to_tsquery query, as `search` takes it. */
  query: string | null;
}

export interface ReadyPapersVersion {
  /** The latest change to a ready paper (null when there is none). */
  changedAt: Date | null;
  /** How many ready papers there are: a paper folded into another disappears without changing the maximum. */
  count: number;
}

@Injectable()
export class PaperRepository {
  constructor(@InjectRepository(PaperEntity) private readonly papers: Repository<PaperEntity>) {}

  /**
   * Runs `work` in one transaction with the classifier's set-based statements bound to it; the classifier's
   * service decides what they do and retries a batch that lost a race (see ClassifierService).
   */
  mergeTransaction<T>(work: (statements: PaperMergeStatements) => Promise<T>): Promise<T> {
    return this.papers.manager.transaction((manager) => work(new PaperMergeStatements(manager)));
  }

  /** Rejects a listing the database refused to store, with its reason; false when it was classified meanwhile. */
  async rejectUnstorable(listingId: string, reason: string, now: Date): Promise<boolean> {
    const [rows] = await this.papers.query<[unknown[], number]>(
      `UPDATE "listings" SET "classifiedAt" = $2, "rejectedReason" = left($3, 1000) WHERE "id" = $1 AND "classifiedAt" IS NULL RETURNING "id"`,
      [listingId, now, reason],
    );
    return rows.length > 0;
  }

  /** The ready papers matching a search, best match first with a query and newest first without, and their count. */
  async search(search: PaperSearch): Promise<{ papers: PaperWithTopics[]; total: number }> {
    const params: unknown[] = [];
    const where = ['p."readyAt" IS NOT NULL'];
    let tsQuery: string | null = null;
    if (search.query !== null) {
      params.push(search.query);
      tsQuery = `websearch_to_tsquery('english', $${params.length})`;
      where.push(`p."searchVector" @@ ${tsQuery}`);
    }
    if (search.topic !== null) {
      params.push(search.topic);
      where.push(
        `EXISTS (SELECT 1 FROM "paper_topics" t WHERE t."paperId" = p."id" AND t."topic" = $${params.length})`,
      );
    }
    if (search.listed !== null) {
      params.push(search.listed.from, search.listed.to);
      where.push(`p."listedAt" >= $${params.length - 1} AND p."listedAt" < $${params.length}`);
    }
    if (search.minUpvotes > 0) {
      params.push(search.minUpvotes);
      where.push(`p."upvotes" >= $${params.length}`);
    }
    const filter = where.join(' AND ');
    const order = tsQuery
      ? `ts_rank(p."searchVector", ${tsQuery}) DESC, p."listedAt" DESC, p."id"`
      : search.order === 'day-then-upvotes'
        ? `date_trunc('day', p."listedAt", 'UTC') DESC, p."upvotes" DESC, p."listedAt" DESC, p."id"`
        : `p."listedAt" DESC, p."id"`;
    const [papers, counted] = await Promise.all([
      this.papers.query<PaperEntity[]>(
        `SELECT ${PAPER_COLUMNS} FROM "papers" p WHERE ${filter} ORDER BY ${order}
         LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, search.limit, search.offset],
      ),
      this.papers.query<{ total: number }[]>(`SELECT count(*)::int AS "total" FROM "papers" p WHERE ${filter}`, params),
    ]);
    return { papers: await this.withTopics(papers), total: counted[0].total };
  }

  count(): Promise<number> {
    return this.papers.count();
  }

  /**
   * Re-tags the next batch of papers (by id, after `afterId`) with the given rules and refreshes their title keys,
   * in one transaction that locks the batch, so a classifier merging into one of them waits instead of being
   * overwritten with stale text. Only tags change: no paper becomes ready or un-ready, nothing delivered is
   * touched. Null when no paper is left.
   */
  async retagBatch(afterId: string | null, limit: number, tag: Tagger): Promise<RetagBatch | null> {
    return this.papers.manager.transaction(async (manager) => {
      const papers = await manager.query<PaperEntity[]>(
        `SELECT ${PAPER_COLUMNS} FROM "papers" p WHERE $1::uuid IS NULL OR p."id" > $1::uuid ORDER BY p."id" LIMIT $2 FOR UPDATE`,
        [afterId, limit],
      );
      if (papers.length === 0) {
        return null;
      }
      const ids = papers.map((paper) => paper.id);
      const existing = await manager
        .getRepository(PaperTopicEntity)
        .createQueryBuilder('t')
        .where('t."paperId" IN (:...ids)', { ids })
        .getMany();
      const changed = papers
        .map((paper) => ({ paperId: paper.id, tags: tag(paper) }))
        .filter(
          ({ paperId, tags }) =>
            !sameTags(
              tags,
              existing.filter((t) => t.paperId === paperId),
            ),
        );
      await replaceTopics(manager, changed);
      const keys = papers
        .map((paper) => ({ id: paper.id, key: titleKey(paper.title) }))
        .filter((row, index) => row.key !== papers[index].titleKey);
      if (keys.length > 0) {
        // Raw SQL on purpose: a key is derived data, so the paper's updatedAt stays as it was.
        await manager.query(
          `UPDATE "papers" p SET "titleKey" = v."key" FROM unnest($1::uuid[], $2::text[]) AS v("id", "key") WHERE p."id" = v."id"`,
          [keys.map((row) => row.id), keys.map((row) => row.key)],
        );
      }
      return { lastId: ids[ids.length - 1], papers: papers.length, retagged: changed.length, titleKeys: keys.length };
    });
  }

  /** The most recently listed ready papers, newest first, with their topics. */
  async latestReady(limit: number): Promise<PaperWithTopics[]> {
    const papers = await this.papers.find({
      where: { readyAt: Not(IsNull()) },
      order: { listedAt: 'DESC', id: 'ASC' },
      take: limit,
    });
    return this.withTopics(papers);
  }

  /** The papers with these ids, in the order of the ids. */
  async findWithTopics(ids: string[]): Promise<PaperWithTopics[]> {
    if (ids.length === 0) {
      return [];
    }
    const found = new Map(
      (await this.papers.createQueryBuilder('paper').whereInIds(ids).getMany()).map((p) => [p.id, p]),
    );
    return this.withTopics(ids.map((id) => found.get(id)).filter((paper): paper is PaperEntity => paper !== undefined));
  }

  /** The papers of a subscription's digests, newest digest first: its personal feed. */
  async deliveredTo(subscriptionId: string, limit: number): Promise<PaperWithTopics[]> {
    const rows = await this.papers.query<{ paperId: string }[]>(
      `SELECT d."paperId" FROM "digest_papers" d JOIN "digests" g ON g."id" = d."digestId"
       WHERE d."subscriptionId" = $1 ORDER BY g."createdAt" DESC, d."rank" ASC LIMIT $2`,
      [subscriptionId, limit],
    );
    return this.findWithTopics(rows.map((row) => row.paperId));
  }

  /**
   * Ids of the ready papers matching a feed's filter, newest listing first: a feed reader wants today's
   * matches, where `search` ranks the best ones of all time first.
   */
  async newestIds(filter: NewestPapersFilter, limit: number): Promise<string[]> {
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

  /** A cheap version of the ready papers, to key what is rendered from them (feeds). */
  async readyVersion(): Promise<ReadyPapersVersion> {
    const [row] = await this.papers.query<{ changedAt: Date | null; count: number }[]>(
      `SELECT max("updatedAt") AS "changedAt", count(*)::int AS "count" FROM "papers" WHERE "readyAt" IS NOT NULL`,
    );
    return { changedAt: row.changedAt ? new Date(row.changedAt) : null, count: row.count };
  }

  private async withTopics(papers: PaperEntity[]): Promise<PaperWithTopics[]> {
    if (papers.length === 0) {
      return [];
    }
    const topics = await this.papers.manager
      .getRepository(PaperTopicEntity)
      .createQueryBuilder('t')
      .where('t."paperId" IN (:...ids)', { ids: papers.map((p) => p.id) })
      .orderBy('t.score', 'DESC')
      .getMany();
    return papers.map((paper) => ({ ...paper, topics: topics.filter((t) => t.paperId === paper.id) }));
  }
}

/** Scores are stored as `real`, so they compare at single precision. */
function sameTags(tags: TopicTag[], stored: PaperTopicEntity[]): boolean {
  if (tags.length !== stored.length) {
    return false;
  }
  const byTopic = new Map(stored.map((t) => [t.topic, t]));
  return tags.every((tag) => {
    const old = byTopic.get(tag.topic);
    return (
      old !== undefined &&
      Math.fround(old.score) === Math.fround(tag.score) &&
      old.evidence.length === tag.evidence.length &&
      old.evidence.every((item, index) => item === tag.evidence[index])
    );
  });
}
