import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import type { TopicTag } from '@libs/domain';
import { ListingEntity, PaperEntity, PaperTopicEntity } from '../entities';

export type PaperWithTopics = PaperEntity & { topics: PaperTopicEntity[] };

@Injectable()
export class PaperRepository {
  constructor(@InjectRepository(PaperEntity) private readonly papers: Repository<PaperEntity>) {}

  /**
   * Folds a listing into its canonical paper in one transaction: creates the paper or merges into the one
   * with the same arXiv id (the unique index makes two concurrent workers land on one row), re-tags it
   * and marks it ready. A later version updates the version and keeps the earliest listing date.
   */
  async mergeListing(listing: ListingEntity, tag: (paper: PaperEntity) => TopicTag[], now: Date): Promise<string> {
    return this.papers.manager.transaction(async (manager) => {
      const rows = await manager.query<PaperEntity[]>(
        `INSERT INTO "papers" ("arxivId", "version", "title", "abstract", "authors", "upvotes", "keywords",
           "categories", "summary", "url", "codeUrl", "projectUrl", "listedAt", "publishedAt")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT ("arxivId") DO UPDATE SET
           "version" = GREATEST("papers"."version", EXCLUDED."version"),
           "upvotes" = GREATEST("papers"."upvotes", EXCLUDED."upvotes"),
           "keywords" = CASE WHEN cardinality("papers"."keywords") = 0 THEN EXCLUDED."keywords" ELSE "papers"."keywords" END,
           "categories" = ARRAY(SELECT DISTINCT unnest("papers"."categories" || EXCLUDED."categories")),
           "summary" = COALESCE("papers"."summary", EXCLUDED."summary"),
           "codeUrl" = COALESCE("papers"."codeUrl", EXCLUDED."codeUrl"),
           "projectUrl" = COALESCE("papers"."projectUrl", EXCLUDED."projectUrl"),
           "listedAt" = LEAST("papers"."listedAt", EXCLUDED."listedAt"),
           "publishedAt" = COALESCE("papers"."publishedAt", EXCLUDED."publishedAt"),
           "updatedAt" = now()
         RETURNING *`,
        [
          listing.arxivId,
          listing.arxivVersion,
          listing.title,
          listing.abstract,
          listing.authors,
          listing.upvotes ?? 0,
          listing.keywords,
          listing.categories,
          listing.summary,
          listing.url,
          listing.codeUrl,
          listing.projectUrl,
          listing.listedAt,
          listing.publishedAt,
        ],
      );
      const paper = rows[0];
      const tags = tag(paper);
      await manager.delete(PaperTopicEntity, { paperId: paper.id });
      if (tags.length > 0) {
        await manager.insert(
          PaperTopicEntity,
          tags.map((t) => ({ paperId: paper.id, topic: t.topic, score: t.score, evidence: t.evidence })),
        );
      }
      await manager.update(PaperEntity, { id: paper.id, readyAt: IsNull() }, { readyAt: now });
      await manager.update(ListingEntity, { id: listing.id }, { paperId: paper.id, classifiedAt: now });
      return paper.id;
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
    const found = new Map((await this.papers.createQueryBuilder('paper').whereInIds(ids).getMany()).map((p) => [p.id, p]));
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
