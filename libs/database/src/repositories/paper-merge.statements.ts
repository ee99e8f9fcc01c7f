import { EntityManager, QueryFailedError } from 'typeorm';
import type { TopicTag } from '@libs/domain';
import { PaperRecord } from '@libs/domain/papers';
import { ListingEntity, PaperEntity } from '../entities';
import { entityColumns } from './pooled-client';

/** A listing as the merge reads it, with its row version (xmin: the transaction that last wrote it). */
export type VersionedListing = ListingEntity & { version: string };

/** What a classify batch writes to a listing: its paper or why it has none, and the row version it read. */
export interface ListingClaim {
  id: string;
  paperId: string | null;
  reason: string | null;
  version: string | undefined;
}

// Every column but the search vector, which can be megabytes and is only ever used inside SQL.
export const PAPER_COLUMNS = [
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
const RECORD_KEYS = RECORD_COLUMNS.map(([name]) => name);
/**
 * Title-key candidates read per key; the merge considers the first MAX_TITLE_CANDIDATES plausible ones. Any of
 * them, not the first by id: ordering would make Postgres walk the primary key instead of the title-key index.
 */
const TITLE_CANDIDATES_READ = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The set-based statements of a classify batch, bound to its transaction (PaperRepository.mergeTransaction).
 * The classifier's service decides what to run; each statement here is one or a few round trips whatever the
 * batch's size.
 */
export class PaperMergeStatements {
  constructor(private readonly manager: EntityManager) {}

  /** The listings with these ids (ids that are not uuids cannot exist), by id, not locked: see claimListings. */
  readListings(listingIds: readonly string[]): Promise<VersionedListing[]> {
    return this.manager.query<VersionedListing[]>(
      `SELECT ${entityColumns(this.manager.connection, ListingEntity)}, "xmin"::text AS "version"
       FROM "listings" WHERE "id" = ANY($1::uuid[]) ORDER BY "id"`,
      [listingIds.filter((id) => UUID.test(id))],
    );
  }

  /**
   * Takes a transaction lock per title key, which serialises matching by title across workers; in one sorted
   * statement, so that batches cannot deadlock on them.
   */
  async lockTitleKeys(titleKeys: readonly string[]): Promise<void> {
    if (titleKeys.length > 0) {
      await this.manager.query(
        `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended('paperboy:title:' || k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY 1) s`,
        [titleKeys],
      );
    }
  }

  /** Reads and locks every paper these arXiv ids, DOIs and title keys reach. */
  async lockReachablePapers(
    arxivIds: readonly string[],
    dois: readonly string[],
    titleKeys: readonly string[],
  ): Promise<PaperEntity[]> {
    // Two statements, so that each gets a plan of index lookups: in one, a growing table with stale statistics
    // made Postgres expect thousands of candidates and scan (and JIT-compile for) the whole table.
    const reachable = await this.manager.query<{ id: string }[]>(
      `SELECT "id" FROM "papers" WHERE "arxivId" = ANY($1::text[])
       UNION SELECT "id" FROM "papers" WHERE "doi" = ANY($2::text[])
       UNION SELECT c."id" FROM unnest($3::text[]) AS k("key")
         CROSS JOIN LATERAL (SELECT "id" FROM "papers" WHERE "titleKey" = k."key" LIMIT ${TITLE_CANDIDATES_READ}) c`,
      [arxivIds, dois, titleKeys],
    );
    return reachable.length === 0
      ? []
      : this.manager.query<PaperEntity[]>(
          `SELECT ${PAPER_COLUMNS} FROM "papers" p WHERE p."id" = ANY($1::uuid[]) ORDER BY p."id" FOR UPDATE`,
          [reachable.map((row) => row.id)],
        );
  }

  /** Folds a duplicate paper into another: its listings, its ledger rows and itself. */
  async absorb(duplicateId: string, intoId: string): Promise<void> {
    await this.manager.query(`UPDATE "listings" SET "paperId" = $1 WHERE "paperId" = $2`, [intoId, duplicateId]);
    // The delivery ledger follows the paper: a subscriber who was sent the duplicate has had this paper, and
    // must not get it again. Where a subscriber had both, the duplicate's row goes with it.
    await this.manager.query(
      `UPDATE "digest_papers" d SET "paperId" = $1 WHERE d."paperId" = $2
         AND NOT EXISTS (SELECT 1 FROM "digest_papers" x WHERE x."subscriptionId" = d."subscriptionId" AND x."paperId" = $1)`,
      [intoId, duplicateId],
    );
    // The ledger has no foreign key to papers (see LedgerWithoutPaperForeignKey): its leftovers go here.
    await this.manager.query(`DELETE FROM "digest_papers" WHERE "paperId" = $1`, [duplicateId]);
    // Nor have topics (ClassifierLinksWithoutPaperForeignKeys): the duplicate's go with it.
    await this.manager.query(`DELETE FROM "paper_topics" WHERE "paperId" = $1`, [duplicateId]);
    await this.moveRelevance(duplicateId, intoId);
    await this.manager.query(`DELETE FROM "papers" WHERE "id" = $1`, [duplicateId]);
  }

  /** Writes changed papers; `before` holds them as read, so that unchanged long texts are not sent again. */
  async updatePapers(papers: readonly PaperRecord[], before: readonly PaperRecord[]): Promise<void> {
    if (papers.length > 0) {
      const stored = new Map(before.map((paper) => [paper.id, paper]));
      const records = papers.map((paper) => withoutUnchangedText(paper, stored));
      await this.manager.query(UPDATE_PAPERS, [recordsJson(records)]);
      // New text makes new relevance features (the next batch featurizes these papers again) and a new
      // embedding (the featurizing queues it).
      const rewritten = records
        .filter((record) => record.title !== null || record.abstract !== null)
        .map((record) => record.id);
      await this.dropFeatures(rewritten);
      await this.dropEmbeddings(rewritten);
    }
  }

  async insertPapers(papers: readonly PaperRecord[]): Promise<void> {
    if (papers.length > 0) {
      // In identifier order, so two batches inserting the same papers wait on each other rather than deadlock.
      const sorted = [...papers].sort((a, b) => compareNullable(a.arxivId, b.arxivId) || compareNullable(a.doi, b.doi));
      await this.manager.query(INSERT_PAPERS, [recordsJson(sorted)]);
    }
  }

  replaceTopics(papers: { paperId: string; tags: TopicTag[]; fresh?: boolean }[]): Promise<void> {
    return replaceTopics(this.manager, papers);
  }

  /**
   * Votes follow the paper as the ledger does (a subscriber's own vote on the kept paper wins); the
   * duplicate's relevance features go, and leave the document frequencies (docs/adr/0003-relevance-model.md);
   * its embedding moves to the kept paper when that has none (no foreign key: docs/adr/0004), else goes.
   */
  private async moveRelevance(duplicateId: string, intoId: string): Promise<void> {
    await this.manager.query(
      `UPDATE "paper_votes" v SET "paperId" = $1 WHERE v."paperId" = $2
         AND NOT EXISTS (SELECT 1 FROM "paper_votes" x WHERE x."subscriptionId" = v."subscriptionId" AND x."paperId" = $1)`,
      [intoId, duplicateId],
    );
    await this.manager.query(`DELETE FROM "paper_votes" WHERE "paperId" = $1`, [duplicateId]);
    await this.dropFeatures([duplicateId]);
    await this.manager.query(
      `UPDATE "paper_embeddings" SET "paperId" = $1 WHERE "paperId" = $2
         AND NOT EXISTS (SELECT 1 FROM "paper_embeddings" x WHERE x."paperId" = $1)`,
      [intoId, duplicateId],
    );
    await this.dropEmbeddings([duplicateId]);
  }

  /** Deletes papers' embeddings (a paper whose text changed is embedded again once featurized). */
  private async dropEmbeddings(paperIds: readonly string[]): Promise<void> {
    if (paperIds.length > 0) {
      await this.manager.query(`DELETE FROM "paper_embeddings" WHERE "paperId" = ANY($1::uuid[])`, [paperIds]);
    }
  }

  /** Deletes papers' relevance features and takes them out of the document frequencies. */
  private async dropFeatures(paperIds: readonly string[]): Promise<void> {
    if (paperIds.length === 0) {
      return;
    }
    await this.manager.query(
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

  /**
   * Marks the listings classified with their paper or rejection, and returns how many it claimed: only those
   * still unclassified and unchanged since they were read (their row version).
   */
  async claimListings(claims: readonly ListingClaim[], now: Date): Promise<number> {
    if (claims.length === 0) {
      return 0;
    }
    const [, claimed] = await this.manager.query<[unknown[], number]>(
      `UPDATE "listings" l SET "classifiedAt" = $2, "paperId" = r."paperId", "rejectedReason" = r."reason"
       FROM json_to_recordset($1::json) AS r("id" uuid, "paperId" uuid, "reason" text, "version" text)
       WHERE l."id" = r."id" AND l."classifiedAt" IS NULL AND l."xmin"::text = r."version"`,
      [JSON.stringify(claims), now],
    );
    return claimed;
  }
}

/** Replaces the topics of these papers; `fresh` ones were made in this transaction and have none yet. */
export async function replaceTopics(
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

function compareNullable(a: string | null, b: string | null): number {
  return a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
}

function errorCode(error: unknown): string | undefined {
  const code = error instanceof QueryFailedError ? (error.driverError as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Another transaction got there first: 23505 unique violation (an identifier taken between read and write), 40P01 deadlock, 40001 serialization. */
export function isWriteConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23505' || code === '40P01' || code === '40001';
}

/** The database refused a value (class 22 data exception, 23 other than a race, 54 a limit such as index row size). */
export function isDataError(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  return code.startsWith('22') || (code.startsWith('23') && code !== '23505') || code.startsWith('54');
}
