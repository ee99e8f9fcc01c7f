import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Not, QueryFailedError, Repository } from 'typeorm';
import type { TopicTag } from '@libs/domain';
import {
  BatchMergePlan,
  isMatchableTitleKey,
  ListingMerge,
  PaperRecord,
  planBatchMerge,
  titleKey,
} from '@libs/domain/papers';
import { ListingEntity, PaperEntity, PaperTopicEntity } from '../entities';

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
/** Each paper's topics, in the order of the papers; asynchronous, so that tagging can run beside the writes. */
export type BatchTagger = (papers: PaperRecord[]) => Promise<TopicTag[][]>;

/** What the classifier makes of a listing: its merge into a paper, or why it cannot become one. */
export type Prepared = ListingMerge | { rejected: string };

/** A listing of a batch: made (part of) a paper, rejected with a reason, already classified, or not found. */
export type ListingOutcome = 'classified' | 'rejected' | 'skipped' | 'missing';

const MERGE_ATTEMPTS = 8;
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
   * Classifies a batch of listings in one transaction: reads and locks the listings still unclassified,
   * `prepare`s each (its identifiers and metadata, or why it is rejected), reads and locks every paper their
   * arXiv ids, DOIs and title keys can reach in one query, merges in memory (planBatchMerge) and writes the
   * result in a few set-based statements: new papers, changed papers, topics of the papers whose text changed,
   * and every listing's paper or rejection. Race-free across workers: a transaction lock per title key (taken
   * in one sorted statement, so batches cannot deadlock on them) serialises matching by title, and the unique
   * indexes on arXiv id and DOI make a batch that lost a race fail and run again on what the winner wrote.
   * A listing the database refuses (a value it cannot store) is rejected with the database's reason while
   * the rest of the batch goes in: the batch is halved until the one listing is found.
   */
  async classifyListings(
    listingIds: readonly string[],
    prepare: (listing: ListingEntity) => Prepared,
    tag: BatchTagger,
    now: Date,
  ): Promise<Map<string, ListingOutcome>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.papers.manager.transaction((manager) => classifyIn(manager, listingIds, prepare, tag, now));
      } catch (error) {
        if (isConflict(error) && attempt < MERGE_ATTEMPTS) {
          // Another worker wrote one of these papers meanwhile: read again, after a short random pause.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
          continue;
        }
        if (!isDataError(error)) {
          throw error;
        }
        if (listingIds.length === 1) {
          return this.rejectUnstorable(listingIds[0], error, now);
        }
        const half = Math.ceil(listingIds.length / 2);
        const first = await this.classifyListings(listingIds.slice(0, half), prepare, tag, now);
        const second = await this.classifyListings(listingIds.slice(half), prepare, tag, now);
        return new Map([...first, ...second]);
      }
    }
  }

  private async rejectUnstorable(listingId: string, error: unknown, now: Date): Promise<Map<string, ListingOutcome>> {
    const reason = `could not be stored: ${error instanceof Error ? error.message : String(error)}`;
    const [rows] = await this.papers.query<[unknown[], number]>(
      `UPDATE "listings" SET "classifiedAt" = $2, "rejectedReason" = left($3, 1000) WHERE "id" = $1 AND "classifiedAt" IS NULL RETURNING "id"`,
      [listingId, now, reason],
    );
    return new Map([[listingId, rows.length > 0 ? 'rejected' : 'skipped']]);
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

/** The paper columns the merge reads and writes, with their SQL types, for json_to_recordset. */
const RECORD_COLUMNS: [keyof PaperRecord, string][] = [
  ['id', 'uuid'],
  ['arxivId', 'text'],
  ['doi', 'text'],
  ['titleKey', 'text'],
  ['title', 'text'],
  ['abstract', 'text'],
  ['authors', 'text[]'],
  ['upvotes', 'int'],
  ['keywords', 'text[]'],
  ['categories', 'text[]'],
  ['summary', 'text'],
  ['url', 'text'],
  ['codeUrl', 'text'],
  ['projectUrl', 'text'],
  ['version', 'int'],
  ['listedAt', 'timestamptz'],
  ['publishedAt', 'timestamptz'],
  ['readyAt', 'timestamptz'],
];
const RECORDS = `json_to_recordset($1::json) AS r(${RECORD_COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(', ')})`;
const INSERT_PAPERS = `INSERT INTO "papers" (${RECORD_COLUMNS.map(([name]) => `"${name}"`).join(', ')})
  SELECT ${RECORD_COLUMNS.map(([name]) => `r."${name}"`).join(', ')} FROM ${RECORDS}`;
/**
 * The paper's long texts are sent only when they changed (most updates bring a version or upvotes): null keeps
 * the stored one, and cannot mean anything else as the columns are NOT NULL.
 */
const SENT_IF_CHANGED = ['title', 'abstract', 'authors'] as const satisfies readonly (keyof PaperRecord)[];
type UpdatedRecord = Omit<PaperRecord, (typeof SENT_IF_CHANGED)[number]> & {
  [K in (typeof SENT_IF_CHANGED)[number]]: PaperRecord[K] | null;
};
const UPDATE_PAPERS = `UPDATE "papers" p SET ${RECORD_COLUMNS.filter(([name]) => name !== 'id')
  .map(([name]) =>
    (SENT_IF_CHANGED as readonly string[]).includes(name)
      ? `"${name}" = COALESCE(r."${name}", p."${name}")`
      : `"${name}" = r."${name}"`,
  )
  .join(', ')}, "updatedAt" = now() FROM ${RECORDS} WHERE p."id" = r."id"`;
/**
 * Title-key candidates read per key; the merge considers the first MAX_TITLE_CANDIDATES plausible ones. Any of
 * them, not the first by id: ordering would make Postgres walk the primary key instead of the title-key index.
 */
const TITLE_CANDIDATES_READ = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function classifyIn(
  manager: EntityManager,
  listingIds: readonly string[],
  prepare: (listing: ListingEntity) => Prepared,
  tag: BatchTagger,
  now: Date,
): Promise<Map<string, ListingOutcome>> {
  const outcomes = new Map<string, ListingOutcome>(listingIds.map((id) => [id, 'missing']));
  const rows = await manager.query<(ListingEntity & { version: string })[]>(
    `SELECT *, "xmin"::text AS "version" FROM "listings" WHERE "id" = ANY($1::uuid[]) ORDER BY "id"`,
    [listingIds.filter((id) => UUID.test(id))],
  );
  const merges: ListingMerge[] = [];
  const results: { id: string; paperId: string | null; reason: string | null }[] = [];
  // Each listing's row version as read (xmin: the transaction that last wrote it), so the claim can tell a
  // listing a fetch refreshed meanwhile.
  const versions = new Map(rows.map((row) => [row.id, row.version]));
  for (const row of rows) {
    if (row.classifiedAt) {
      outcomes.set(row.id, 'skipped');
      continue;
    }
    const prepared = prepare(row);
    if ('rejected' in prepared) {
      outcomes.set(row.id, 'rejected');
      results.push({ id: row.id, paperId: null, reason: prepared.rejected });
    } else {
      outcomes.set(row.id, 'classified');
      merges.push(prepared);
    }
  }
  if (merges.length > 0) {
    const plan = await mergeIn(manager, merges, tag, now);
    results.push(...plan.links.map((link) => ({ id: link.listingId, paperId: link.paperId, reason: null })));
  }
  if (results.length > 0) {
    // The listings are claimed here, not locked when read: a second run of the same batch at the same moment
    // waits for the first to commit, claims fewer than it read, and runs again (skipping them) after a rollback.
    // A listing a fetch refreshed since it was read (its row version moved on) is not claimed either: the
    // batch runs again on its current details rather than mark it classified with the old ones.
    const [, claimed] = await manager.query<[unknown[], number]>(
      `UPDATE "listings" l SET "classifiedAt" = $2, "paperId" = r."paperId", "rejectedReason" = r."reason"
       FROM json_to_recordset($1::json) AS r("id" uuid, "paperId" uuid, "reason" text, "version" text)
       WHERE l."id" = r."id" AND l."classifiedAt" IS NULL AND l."xmin"::text = r."version"`,
      [JSON.stringify(results.map((result) => ({ ...result, version: versions.get(result.id) }))), now],
    );
    if (claimed !== results.length) {
      throw new ClaimLostError(
        `${results.length - claimed} listings of the batch were classified or refreshed by a fetch meanwhile`,
      );
    }
  }
  return outcomes;
}

async function mergeIn(
  manager: EntityManager,
  merges: ListingMerge[],
  tag: BatchTagger,
  now: Date,
): Promise<BatchMergePlan> {
  const titleKeys = [...new Set(merges.map((m) => m.titleKey).filter(isMatchableTitleKey))].sort();
  if (titleKeys.length > 0) {
    await manager.query(
      `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended('paperboy:title:' || k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY 1) s`,
      [titleKeys],
    );
  }
  const present = <T>(values: (T | null)[]): T[] => [...new Set(values.filter((v): v is T => v !== null))];
  // Two statements, so that each gets a plan of index lookups: in one, a growing table with stale statistics
  // made Postgres expect thousands of candidates and scan (and JIT-compile for) the whole table.
  const reachable = await manager.query<{ id: string }[]>(
    `SELECT "id" FROM "papers" WHERE "arxivId" = ANY($1::text[])
     UNION SELECT "id" FROM "papers" WHERE "doi" = ANY($2::text[])
     UNION SELECT c."id" FROM unnest($3::text[]) AS k("key")
       CROSS JOIN LATERAL (SELECT "id" FROM "papers" WHERE "titleKey" = k."key" LIMIT ${TITLE_CANDIDATES_READ}) c`,
    [present(merges.map((m) => m.identifiers.arxivId)), present(merges.map((m) => m.identifiers.doi)), titleKeys],
  );
  const known =
    reachable.length === 0
      ? []
      : await manager.query<PaperEntity[]>(
          `SELECT ${PAPER_COLUMNS} FROM "papers" p WHERE p."id" = ANY($1::uuid[]) ORDER BY p."id" FOR UPDATE`,
          [reachable.map((row) => row.id)],
        );
  const plan = planBatchMerge(known, merges, now, randomUUID);
  // Tagged while the papers are written; the topics wait for it. Should a write fail first, nobody awaits the
  // tagging: its own failure, if any, adds nothing then.
  const tagging = tag(plan.retag);
  tagging.catch(() => undefined);
  for (const { duplicateId, intoId } of plan.absorbed) {
    await manager.query(`UPDATE "listings" SET "paperId" = $1 WHERE "paperId" = $2`, [intoId, duplicateId]);
    // The delivery ledger follows the paper: a subscriber who was sent the duplicate has had this paper, and
    // must not get it again. Where a subscriber had both, the duplicate's row goes with it.
    await manager.query(
      `UPDATE "digest_papers" d SET "paperId" = $1 WHERE d."paperId" = $2
         AND NOT EXISTS (SELECT 1 FROM "digest_papers" x WHERE x."subscriptionId" = d."subscriptionId" AND x."paperId" = $1)`,
      [intoId, duplicateId],
    );
    // The ledger has no foreign key to papers (see LedgerWithoutPaperForeignKey): its leftovers go here.
    await manager.query(`DELETE FROM "digest_papers" WHERE "paperId" = $1`, [duplicateId]);
    // Nor have topics (ClassifierLinksWithoutPaperForeignKeys): the duplicate's go with it.
    await manager.query(`DELETE FROM "paper_topics" WHERE "paperId" = $1`, [duplicateId]);
    await moveRelevance(manager, duplicateId, intoId);
    await manager.query(`DELETE FROM "papers" WHERE "id" = $1`, [duplicateId]);
  }
  if (plan.updated.length > 0) {
    const before = new Map(known.map((paper) => [paper.id, paper]));
    const records = plan.updated.map((paper) => withoutUnchangedText(paper, before));
    await manager.query(UPDATE_PAPERS, [recordsJson(records)]);
    // New text makes new relevance features: the next batch featurizes these papers again.
    await dropFeatures(
      manager,
      records.filter((record) => record.title !== null || record.abstract !== null).map((record) => record.id),
    );
  }
  if (plan.inserted.length > 0) {
    // In identifier order, so two batches inserting the same papers wait on each other rather than deadlock.
    const inserted = [...plan.inserted].sort(
      (a, b) => compareNullable(a.arxivId, b.arxivId) || compareNullable(a.doi, b.doi),
    );
    await manager.query(INSERT_PAPERS, [recordsJson(inserted)]);
  }
  const fresh = new Set(plan.inserted.map((paper) => paper.id));
  const tags = await tagging;
  await replaceTopics(
    manager,
    plan.retag.map((paper, index) => ({ paperId: paper.id, tags: tags[index], fresh: fresh.has(paper.id) })),
  );
  return plan;
}

const RECORD_KEYS = RECORD_COLUMNS.map(([name]) => name);

/** The records' merge columns only: the key list keeps the rest (createdAt…) out without copying each record. */
function recordsJson(papers: readonly (PaperRecord | UpdatedRecord)[]): string {
  return JSON.stringify(papers, RECORD_KEYS);
}

/** The record with null for the long texts its stored version already has (see UPDATE_PAPERS). */
function withoutUnchangedText(paper: PaperRecord, before: Map<string, PaperRecord>): UpdatedRecord {
  const stored = before.get(paper.id);
  if (stored === undefined) {
    return paper;
  }
  const sameAuthors =
    paper.authors.length === stored.authors.length && paper.authors.every((name, i) => name === stored.authors[i]);
  return {
    ...paper,
    title: paper.title === stored.title ? null : paper.title,
    abstract: paper.abstract === stored.abstract ? null : paper.abstract,
    authors: sameAuthors ? null : paper.authors,
  };
}

/**
 * Votes follow the paper as the ledger does (a subscriber's own vote on the kept paper wins); the
 * duplicate's relevance features go, and leave the document frequencies (docs/adr/0003-relevance-model.md).
 */
async function moveRelevance(manager: EntityManager, duplicateId: string, intoId: string): Promise<void> {
  await manager.query(
    `UPDATE "paper_votes" v SET "paperId" = $1 WHERE v."paperId" = $2
       AND NOT EXISTS (SELECT 1 FROM "paper_votes" x WHERE x."subscriptionId" = v."subscriptionId" AND x."paperId" = $1)`,
    [intoId, duplicateId],
  );
  await manager.query(`DELETE FROM "paper_votes" WHERE "paperId" = $1`, [duplicateId]);
  await dropFeatures(manager, [duplicateId]);
}

/** Deletes papers' relevance features and takes them out of the document frequencies. */
async function dropFeatures(manager: EntityManager, paperIds: readonly string[]): Promise<void> {
  if (paperIds.length === 0) {
    return;
  }
  await manager.query(
    `WITH "gone" AS (DELETE FROM "paper_features" WHERE "paperId" = ANY($1::uuid[]) RETURNING "terms")
     UPDATE "term_frequencies" t SET "documents" = t."documents" - g."n"
       FROM (
         SELECT "term", count(*) AS "n"
           FROM (SELECT unnest("terms") AS "term" FROM "gone" UNION ALL SELECT '' FROM "gone") u
          GROUP BY "term"
       ) g
      WHERE t."term" = g."term"`,
    [paperIds],
  );
}

function compareNullable(a: string | null, b: string | null): number {
  return a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
}

/** Replaces the topics of these papers; `fresh` ones were made in this transaction and have none yet. */
async function replaceTopics(
  manager: EntityManager,
  papers: { paperId: string; tags: TopicTag[]; fresh?: boolean }[],
): Promise<void> {
  const stale = papers.filter((p) => !p.fresh).map((p) => p.paperId);
  if (stale.length > 0) {
    await manager.query(`DELETE FROM "paper_topics" WHERE "paperId" = ANY($1::uuid[])`, [stale]);
  }
  const rows = papers.flatMap(({ paperId, tags }) =>
    tags.map((t) => ({ paperId, topic: t.topic, score: t.score, evidence: t.evidence })),
  );
  if (rows.length > 0) {
    await manager.query(
      `INSERT INTO "paper_topics" ("paperId", "topic", "score", "evidence")
       SELECT r."paperId", r."topic", r."score", r."evidence"
       FROM json_to_recordset($1::json) AS r("paperId" uuid, "topic" text, "score" real, "evidence" text[])`,
      [JSON.stringify(rows)],
    );
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

/** A concurrent run of the same batch classified some of its listings first: run the batch again. */
class ClaimLostError extends Error {}

function errorCode(error: unknown): string | undefined {
  const code = error instanceof QueryFailedError ? (error.driverError as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function isConflict(error: unknown): boolean {
  if (error instanceof ClaimLostError) {
    return true;
  }
  const code = errorCode(error);
  // 23505 unique violation (an identifier taken between read and write), 40P01 deadlock, 40001 serialization.
  return code === '23505' || code === '40P01' || code === '40001';
}

/** The database refused a value (class 22 data exception, 23 other than a race, 54 a limit such as index row size). */
function isDataError(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  return code.startsWith('22') || (code.startsWith('23') && code !== '23505') || code.startsWith('54');
}
