import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Not, QueryFailedError, Repository } from 'typeorm';
import type { TopicTag } from '@libs/domain';
import {
  isMatchableTitleKey,
  mergePaperMetadata,
  newPaperMetadata,
  PaperIdentifiers,
  PaperMetadata,
  pickTitleMatch,
  titleKey,
} from '@libs/domain/papers';
import { ListingEntity, PaperEntity, PaperTopicEntity } from '../entities';

export type PaperWithTopics = PaperEntity & { topics: PaperTopicEntity[] };

/** A listing on its way into a paper: normalised identifiers, its title key and its metadata as listed. */
export interface ListingMerge {
  listingId: string;
  identifiers: PaperIdentifiers;
  titleKey: string | null;
  metadata: PaperMetadata;
  /** An arXiv replacement (announce type replace or replace-cross): a new version, never a new paper. */
  replacement: boolean;
}

export interface MergedListing {
  paperId: string;
  /** How the paper was found: a new one, or by arXiv id, DOI or title key with authors. */
  matchedBy: 'new' | 'arxivId' | 'doi' | 'title';
  /** A second record of the same paper (known only by its DOI) folded into this one, if any. */
  absorbedPaperId: string | null;
}

export interface PaperSearch {
  /** A websearch_to_tsquery query (quotes, -negation, or). */
  query: string | null;
  topic: string | null;
  /** Papers first listed in [from, to). */
  listed: { from: Date; to: Date } | null;
  minUpvotes: number;
  offset: number;
  limit: number;
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

type Tagger = (paper: PaperEntity) => TopicTag[];

const MERGE_ATTEMPTS = 5;
const FIND_ATTEMPTS = 3;
const MAX_TITLE_CANDIDATES = 20;
const INSERT_CHUNK = 1000;
// Every column but the search vector, which can be megabytes and is only ever used inside SQL.
const PAPER_COLUMNS = [
  'id',
  'arxivId',
  'version',
  'doi',
  'titleKey',
  'title',
  'abstract',
  'authors',
  'upvotes',
  'keywords',
  'categories',
  'summary',
  'url',
  'codeUrl',
  'projectUrl',
  'listedAt',
  'publishedAt',
  'readyAt',
  'createdAt',
  'updatedAt',
]
  .map((column) => `p."${column}"`)
  .join(', ');

@Injectable()
export class PaperRepository {
  constructor(@InjectRepository(PaperEntity) private readonly papers: Repository<PaperEntity>) {}

  /**
   * Folds a listing into its canonical paper in one transaction, re-tags the paper and marks it ready; null when
   * the listing was already classified (a job that ran twice). The paper is the one with the listing's arXiv id,
   * else its DOI, else the one paper whose title key and authors clearly match; otherwise a new one. Race-free:
   * the unique indexes on arXiv id and DOI decide between workers inserting the same paper (the loser re-reads
   * the winner's row), and a transaction lock on the title key serialises workers matching by title.
   */
  async mergeListing(listing: ListingMerge, tag: Tagger, now: Date): Promise<MergedListing | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.papers.manager.transaction((manager) => this.mergeIn(manager, listing, tag, now));
      } catch (error) {
        // Another worker gave the paper this DOI or arXiv id between our read and our write: read again.
        if (!isConflict(error) || attempt >= MERGE_ATTEMPTS) {
          throw error;
        }
      }
    }
  }

  private async mergeIn(
    manager: EntityManager,
    listing: ListingMerge,
    tag: Tagger,
    now: Date,
  ): Promise<MergedListing | null> {
    // Claiming the listing first makes a second run of the same job a no-op rather than a second merge.
    const [claimed] = await manager.query<[{ id: string }[], number]>(
      `UPDATE "listings" SET "classifiedAt" = $2 WHERE "id" = $1 AND "classifiedAt" IS NULL RETURNING "id"`,
      [listing.listingId, now],
    );
    if (claimed.length === 0) {
      return null;
    }
    if (isMatchableTitleKey(listing.titleKey)) {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `paperboy:title:${listing.titleKey}`,
      ]);
    }
    let merged: { paper: PaperEntity; result: MergedListing } | null = null;
    for (let attempt = 1; merged === null; attempt++) {
      const found = await findTarget(manager, listing);
      if (found.target) {
        merged = await foldInto(manager, found.target, found, listing, now);
      } else {
        const inserted = await insertPaper(manager, listing, found.doiTaken, now);
        // Nothing inserted: a concurrent worker inserted the paper first (ON CONFLICT waited for its commit).
        merged = inserted && {
          paper: inserted,
          result: { paperId: inserted.id, matchedBy: 'new', absorbedPaperId: null },
        };
        if (!merged && attempt >= FIND_ATTEMPTS) {
          throw new Error(
            `Listing ${listing.listingId}: its paper kept being created and changed by other workers; retry later`,
          );
        }
      }
    }
    const { paper, result } = merged;
    await replaceTopics(manager, [{ paperId: paper.id, tags: tag(paper) }]);
    await manager.update(ListingEntity, { id: listing.listingId }, { paperId: paper.id });
    return result;
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

  /** How many search terms Postgres reads in a query; 0 when it is only stop words or punctuation. */
  async countSearchTerms(query: string): Promise<number> {
    const rows = await this.papers.query<{ terms: number }[]>(
      `SELECT numnode(websearch_to_tsquery('english', $1))::int AS "terms"`,
      [query],
    );
    return rows[0].terms;
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

interface Target {
  target: PaperEntity | null;
  matchedBy: 'arxivId' | 'doi' | 'title';
  /** A record of the same paper known only by the listing's DOI, to fold into the target. */
  duplicate: PaperEntity | null;
  /** The listing's DOI belongs to a paper with another arXiv id, so this paper cannot claim it. */
  doiTaken: boolean;
}

/** The paper a listing belongs to, locked; see mergeListing for the order of the rules. */
async function findTarget(manager: EntityManager, listing: ListingMerge): Promise<Target> {
  const { arxivId, doi } = listing.identifiers;
  let doiTaken = false;
  if (arxivId !== null || doi !== null) {
    const rows = await manager.query<PaperEntity[]>(
      `SELECT ${PAPER_COLUMNS} FROM "papers" p WHERE p."arxivId" = $1 OR p."doi" = $2 ORDER BY p."id" FOR UPDATE`,
      [arxivId, doi],
    );
    const byArxiv = rows.find((paper) => arxivId !== null && paper.arxivId === arxivId) ?? null;
    const byDoi = rows.find((paper) => doi !== null && paper.doi === doi) ?? null;
    if (byArxiv) {
      // The arXiv paper and a record known only by this DOI are one paper: the listing carries both identifiers.
      const duplicate = byDoi && byDoi.id !== byArxiv.id && byDoi.arxivId === null ? byDoi : null;
      return {
        target: byArxiv,
        matchedBy: 'arxivId',
        duplicate,
        doiTaken: byDoi !== null && byDoi.id !== byArxiv.id && !duplicate,
      };
    }
    if (byDoi && (byDoi.arxivId === null || arxivId === null)) {
      return { target: byDoi, matchedBy: 'doi', duplicate: null, doiTaken: false };
    }
    doiTaken = byDoi !== null;
  }
  if (isMatchableTitleKey(listing.titleKey)) {
    const identifiers = doiTaken ? { ...listing.identifiers, doi: null } : listing.identifiers;
    // Papers with another arXiv id or DOI are never candidates, so the limit only counts plausible ones.
    const candidates = await manager.query<PaperEntity[]>(
      `SELECT ${PAPER_COLUMNS} FROM "papers" p WHERE p."titleKey" = $1
         AND ($2::text IS NULL OR p."arxivId" IS NULL OR p."arxivId" = $2)
         AND ($3::text IS NULL OR p."doi" IS NULL OR p."doi" = $3)
       ORDER BY p."id" LIMIT ${MAX_TITLE_CANDIDATES} FOR UPDATE`,
      [listing.titleKey, identifiers.arxivId, identifiers.doi],
    );
    const match = pickTitleMatch(candidates, { identifiers, authors: listing.metadata.authors });
    if (match) {
      return { target: match, matchedBy: 'title', duplicate: null, doiTaken };
    }
  }
  return { target: null, matchedBy: 'title', duplicate: null, doiTaken };
}

async function foldInto(
  manager: EntityManager,
  target: PaperEntity,
  found: Target,
  listing: ListingMerge,
  now: Date,
): Promise<{ paper: PaperEntity; result: MergedListing }> {
  const { duplicate } = found;
  let metadata = metadataOf(target);
  let doi = target.doi;
  let readyAt = target.readyAt ?? now;
  if (duplicate) {
    metadata = mergePaperMetadata(metadata, metadataOf(duplicate));
    doi = doi ?? duplicate.doi;
    readyAt = duplicate.readyAt && duplicate.readyAt < readyAt ? duplicate.readyAt : readyAt;
    await manager.query(`UPDATE "listings" SET "paperId" = $1 WHERE "paperId" = $2`, [target.id, duplicate.id]);
    // The delivery ledger follows the paper: a subscriber who was sent the duplicate has had this paper, and
    // must not get it again. Where a subscriber had both, the duplicate's row goes with it.
    await manager.query(
      `UPDATE "digest_papers" d SET "paperId" = $1 WHERE d."paperId" = $2
         AND NOT EXISTS (SELECT 1 FROM "digest_papers" x WHERE x."subscriptionId" = d."subscriptionId" AND x."paperId" = $1)`,
      [target.id, duplicate.id],
    );
    await manager.query(`DELETE FROM "papers" WHERE "id" = $1`, [duplicate.id]);
  }
  metadata = mergePaperMetadata(metadata, listing.metadata);
  const changes = {
    ...metadata,
    arxivId: target.arxivId ?? listing.identifiers.arxivId,
    doi: doi ?? (found.doiTaken ? null : listing.identifiers.doi),
    titleKey: titleKey(metadata.title),
    readyAt,
  };
  await manager.update(PaperEntity, { id: target.id }, changes);
  return {
    paper: { ...target, ...changes },
    result: { paperId: target.id, matchedBy: found.matchedBy, absorbedPaperId: duplicate?.id ?? null },
  };
}

async function insertPaper(
  manager: EntityManager,
  listing: ListingMerge,
  doiTaken: boolean,
  now: Date,
): Promise<PaperEntity | null> {
  const metadata = newPaperMetadata(listing.metadata);
  const { publishedAt } = metadata;
  if (listing.replacement && publishedAt && publishedAt < metadata.listedAt) {
    // A revision of a paper we never saw is not news: it was first listed when it was first published, so it
    // does not surface in digests as a new paper.
    metadata.listedAt = publishedAt;
  }
  const result = await manager
    .createQueryBuilder()
    .insert()
    .into(PaperEntity)
    .values({
      ...metadata,
      arxivId: listing.identifiers.arxivId,
      doi: doiTaken ? null : listing.identifiers.doi,
      titleKey: titleKey(metadata.title),
      readyAt: now,
    })
    .orIgnore()
    .returning(PAPER_COLUMNS.replace(/p\./g, ''))
    .execute();
  return (result.raw as PaperEntity[])[0] ?? null;
}

async function replaceTopics(manager: EntityManager, papers: { paperId: string; tags: TopicTag[] }[]): Promise<void> {
  if (papers.length === 0) {
    return;
  }
  await manager.query(`DELETE FROM "paper_topics" WHERE "paperId" = ANY($1::uuid[])`, [papers.map((p) => p.paperId)]);
  const rows = papers.flatMap(({ paperId, tags }) =>
    tags.map((t) => ({ paperId, topic: t.topic, score: t.score, evidence: t.evidence })),
  );
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await manager.insert(PaperTopicEntity, rows.slice(start, start + INSERT_CHUNK));
  }
}

function metadataOf(paper: PaperEntity): PaperMetadata {
  return {
    title: paper.title,
    abstract: paper.abstract,
    authors: paper.authors,
    upvotes: paper.upvotes,
    keywords: paper.keywords,
    categories: paper.categories,
    summary: paper.summary,
    url: paper.url,
    codeUrl: paper.codeUrl,
    projectUrl: paper.projectUrl,
    version: paper.version,
    listedAt: paper.listedAt,
    publishedAt: paper.publishedAt,
  };
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

function isConflict(error: unknown): boolean {
  const code = error instanceof QueryFailedError ? (error.driverError as { code?: unknown }).code : undefined;
  // 23505 unique violation (an identifier taken between read and write), 40P01 deadlock, 40001 serialization.
  return code === '23505' || code === '40P01' || code === '40001';
}
