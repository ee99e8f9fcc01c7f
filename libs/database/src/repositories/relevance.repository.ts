import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Settings } from '@libs/config';
import { preparedQuery } from './pooled-client';
import { DocumentFrequencies, type PaperText, type RelevanceModel, type TermCounts } from '@libs/domain';

/** What a reader may name a paper by: its id, arXiv id or DOI (already normalised). */
export type PaperReference = { id: string } | { arxivId: string } | { doi: string };

export interface PaperForFeatures extends PaperText {
  id: string;
}

/** A paper found by a reference: its texts and identifiers. */
export interface FoundPaper extends PaperForFeatures {
  arxivId: string | null;
  doi: string | null;
}

/**
 * The relevance features of papers (term counts, stored once per paper) and the corpus's document
 * frequencies, kept incrementally as papers are featurized (docs/adr/0003-relevance-model.md). Term and
 * weight arrays are read as JSON: pg parses a text array one character object at a time, which made
 * reading a model the largest garbage of a for-you digest.
 */
@Injectable()
export class RelevanceRepository {
  private readonly namedStatements: boolean;

  constructor(
    private readonly dataSource: DataSource,
    settings: Settings,
  ) {
    this.namedStatements = settings.DATABASE_NAMED_STATEMENTS;
  }

  /** The paper a reference names, ready or not; null when Paperboy does not know it. */
  async findPaper(reference: PaperReference): Promise<FoundPaper | null> {
    const [column, value] =
      'id' in reference
        ? ['id', reference.id]
        : 'arxivId' in reference
          ? ['arxivId', reference.arxivId]
          : ['doi', reference.doi];
    const rows = await this.dataSource.query<FoundPaper[]>(
      `SELECT "id", "arxivId", "doi", "title", "abstract", "authors", "categories", "keywords"
         FROM "papers" WHERE "${column}" = $1 LIMIT 1`,
      [value],
    );
    return rows[0] ?? null;
  }

  /** The papers with any of these arXiv ids or DOIs (identifiers only): what seeds resolve to. */
  async findByIdentifiers(
    arxivIds: readonly string[],
    dois: readonly string[],
  ): Promise<{ id: string; arxivId: string | null; doi: string | null; title: string }[]> {
    return this.dataSource.query(
      `SELECT "id", "arxivId", "doi", "title" FROM "papers" WHERE "arxivId" = ANY($1::text[]) OR "doi" = ANY($2::text[])`,
      [arxivIds, dois],
    );
  }

  /** The texts of ready papers that have no features yet, oldest first: what a backfill featurizes. */
  async unfeaturized(limit: number): Promise<PaperForFeatures[]> {
    return this.dataSource.query<PaperForFeatures[]>(
      `SELECT p."id", p."title", p."abstract", p."authors", p."categories", p."keywords"
         FROM "papers" p
        WHERE p."readyAt" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "paper_features" f WHERE f."paperId" = p."id")
        ORDER BY p."listedAt", p."id"
        LIMIT $1`,
      [limit],
    );
  }

  /**
   * Stores the term counts of papers that have none yet and adds them to the document frequencies, in
   * one statement: a paper stored twice (two classifiers racing) is counted once. The row with the empty
   * term counts the documents.
   */
  async storeFeatures(features: { paperId: string; counts: TermCounts }[]): Promise<void> {
    if (features.length === 0) {
      return;
    }
    const rows = features.map(({ paperId, counts }) => ({
      paperId,
      terms: [...counts.keys()],
      counts: [...counts.values()],
    }));
    await this.dataSource.query(
      `WITH "input" AS (
         SELECT * FROM json_to_recordset($1::json) AS r("paperId" uuid, "terms" text[], "counts" int4[])
       ), "added" AS (
         INSERT INTO "paper_features" ("paperId", "terms", "counts")
         SELECT "paperId", "terms", "counts" FROM "input"
         ON CONFLICT ("paperId") DO NOTHING
         RETURNING "terms"
       )
       INSERT INTO "term_frequencies" ("term", "documents")
       SELECT "term", count(*) FROM (
         SELECT unnest("terms") AS "term" FROM "added"
         UNION ALL
         SELECT '' FROM "added"
       ) t
       GROUP BY "term"
       ORDER BY "term"
       ON CONFLICT ("term") DO UPDATE SET "documents" = "term_frequencies"."documents" + EXCLUDED."documents"`,
      [JSON.stringify(rows)],
    );
  }

  /** The stored term counts of these papers, by paper id (papers without features are missing). */
  async features(paperIds: readonly string[]): Promise<Map<string, TermCounts>> {
    if (paperIds.length === 0) {
      return new Map();
    }
    const rows = await this.dataSource.query<{ paperId: string; terms: string[]; counts: number[] }[]>(
      `SELECT "paperId", to_json("terms") AS "terms", to_json("counts") AS "counts"
         FROM "paper_features" WHERE "paperId" = ANY($1::uuid[])`,
      [paperIds],
    );
    return new Map(rows.map((row) => [row.paperId, new Map(row.terms.map((term, i) => [term, row.counts[i]]))]));
  }

  /** The document frequencies of these terms and the corpus size, for tf-idf. */
  async frequencies(terms: readonly string[]): Promise<DocumentFrequencies> {
    const rows = await this.dataSource.query<{ term: string; documents: number }[]>(
      `SELECT "term", "documents" FROM "term_frequencies" WHERE "term" = ANY($1::text[])`,
      [['', ...terms]],
    );
    const documents = rows.find((row) => row.term === '')?.documents ?? 0;
    return new DocumentFrequencies(
      documents,
      rows.filter((row) => row.term !== '').map((row) => [row.term, row.documents] as const),
    );
  }

  /**
   * Ready papers sharing any of these terms with a paper, newest first, without the paper itself: the
   * pool "similar papers" ranks (the GIN index on terms finds them).
   */
  async neighbours(paperId: string, terms: readonly string[], limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT p."id"
         FROM "paper_features" f JOIN "papers" p ON p."id" = f."paperId"
        WHERE f."terms" && $1::text[] AND p."readyAt" IS NOT NULL AND p."id" <> $2
        ORDER BY p."listedAt" DESC, p."id"
        LIMIT $3`,
      [terms, paperId, limit],
    );
    return rows.map((row) => row.id);
  }

  /** A subscription's votes (and seeds) with their papers' term counts: what its model is trained on. */
  async labelledFeatures(subscriptionId: string): Promise<{ liked: TermCounts[]; disliked: TermCounts[] }> {
    const rows = await this.dataSource.query<{ vote: 'up' | 'down'; terms: string[]; counts: number[] }[]>(
      `SELECT v."vote", to_json(f."terms") AS "terms", to_json(f."counts") AS "counts"
         FROM "paper_votes" v JOIN "paper_features" f ON f."paperId" = v."paperId"
        WHERE v."subscriptionId" = $1
        ORDER BY v."updatedAt" DESC, v."paperId"`,
      [subscriptionId],
    );
    const counts = (row: { terms: string[]; counts: number[] }): TermCounts =>
      new Map(row.terms.map((term, i) => [term, row.counts[i]]));
    return {
      liked: rows.filter((row) => row.vote === 'up').map(counts),
      disliked: rows.filter((row) => row.vote === 'down').map(counts),
    };
  }

  /** A subscription's liked papers (up-votes and seeds, latest first) with titles and term counts: what "why" names. */
  async likedPapers(
    subscriptionId: string,
    limit: number,
  ): Promise<{ id: string; title: string; counts: TermCounts }[]> {
    const rows = await this.dataSource.query<{ id: string; title: string; terms: string[]; counts: number[] }[]>(
      `SELECT p."id", p."title", to_json(f."terms") AS "terms", to_json(f."counts") AS "counts"
         FROM "paper_votes" v
         JOIN "paper_features" f ON f."paperId" = v."paperId"
         JOIN "papers" p ON p."id" = v."paperId"
        WHERE v."subscriptionId" = $1 AND v."vote" = 'up'
        ORDER BY v."updatedAt" DESC, v."paperId"
        LIMIT $2`,
      [subscriptionId, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      counts: new Map(row.terms.map((term, i) => [term, row.counts[i]])),
    }));
  }

  /** The texts of these papers, for explanations (the few papers of one digest). */
  async texts(paperIds: readonly string[]): Promise<PaperForFeatures[]> {
    if (paperIds.length === 0) {
      return [];
    }
    return this.dataSource.query<PaperForFeatures[]>(
      `SELECT "id", "title", "abstract", "authors", "categories", "keywords" FROM "papers" WHERE "id" = ANY($1::uuid[])`,
      [paperIds],
    );
  }

  /**
   * A sample of ready papers listed since `since`, the same for everyone asking with the same seed (one
   * per day, say): the weak negatives every subscriber's model of that day is trained against.
   */
  async backgroundSample(since: Date, seed: string, limit: number): Promise<TermCounts[]> {
    const rows = await this.dataSource.query<{ terms: string[]; counts: number[] }[]>(
      `SELECT to_json(f."terms") AS "terms", to_json(f."counts") AS "counts"
         FROM "paper_features" f JOIN "papers" p ON p."id" = f."paperId"
        WHERE p."readyAt" IS NOT NULL AND p."listedAt" >= $1
        ORDER BY md5(p."id"::text || $2), p."id"
        LIMIT $3`,
      [since, seed, limit],
    );
    return rows.map((row) => new Map(row.terms.map((term, i) => [term, row.counts[i]])));
  }

  /** Stores a subscription's trained model, replacing the previous one; null (nothing liked) removes it. */
  async saveModel(subscriptionId: string, model: RelevanceModel | null, now: Date): Promise<void> {
    if (!model) {
      await this.dataSource.query(`DELETE FROM "subscriber_models" WHERE "subscriptionId" = $1`, [subscriptionId]);
      return;
    }
    await this.dataSource.query(
      `INSERT INTO "subscriber_models" ("subscriptionId", "terms", "weights", "liked", "disliked", "trainedAt")
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ("subscriptionId") DO UPDATE
         SET "terms" = EXCLUDED."terms", "weights" = EXCLUDED."weights", "liked" = EXCLUDED."liked",
             "disliked" = EXCLUDED."disliked", "trainedAt" = EXCLUDED."trainedAt"`,
      [subscriptionId, model.terms, Array.from(model.weights), model.liked, model.disliked, now],
    );
  }

  /**
   * What a for-you digest reads of its subscriber, in one round trip: the stored model, the latest liked
   * papers (ids and titles, latest first) and which of the window's candidates the subscription's
   * digests already hold. Null without a model.
   */
  async forYouInputs(
    subscriptionId: string,
    likedLimit: number,
    candidateIds: readonly string[],
  ): Promise<{ model: RelevanceModel; liked: { id: string; title: string }[]; delivered: Set<string> } | null> {
    // A named prepared statement (see preparedQuery): it runs once per for-you digest.
    const rows = await preparedQuery<{
      terms: string[];
      weights: number[];
      liked: number;
      disliked: number;
      likedPapers: { id: string; title: string }[];
      delivered: string[];
    }>(this.dataSource, this.namedStatements, {
      name: 'for-you-inputs',
      text: `SELECT to_json(m."terms") AS "terms", to_json(m."weights") AS "weights", m."liked", m."disliked",
              (SELECT coalesce(json_agg(json_build_object('id', l."id", 'title', l."title")), '[]')
                 FROM (SELECT p."id", p."title"
                         FROM "paper_votes" v JOIN "papers" p ON p."id" = v."paperId"
                        WHERE v."subscriptionId" = m."subscriptionId" AND v."vote" = 'up'
                        ORDER BY v."updatedAt" DESC, v."paperId"
                        LIMIT $2) l) AS "likedPapers",
              (SELECT coalesce(json_agg(d."paperId"), '[]') FROM "digest_papers" d
                WHERE d."subscriptionId" = m."subscriptionId" AND d."paperId" = ANY($3::uuid[])) AS "delivered"
         FROM "subscriber_models" m WHERE m."subscriptionId" = $1`,
      values: [subscriptionId, likedLimit, candidateIds],
    });
    const row = rows[0];
    return row
      ? {
          model: {
            terms: row.terms,
            weights: Float32Array.from(row.weights),
            liked: row.liked,
            disliked: row.disliked,
          },
          liked: row.likedPapers,
          delivered: new Set(row.delivered),
        }
      : null;
  }

  /** The stored models of these subscriptions, by subscription id (those without one are missing). */
  async models(subscriptionIds: readonly string[]): Promise<Map<string, RelevanceModel>> {
    if (subscriptionIds.length === 0) {
      return new Map();
    }
    const rows = await this.dataSource.query<
      { subscriptionId: string; terms: string[]; weights: number[]; liked: number; disliked: number }[]
    >(
      `SELECT "subscriptionId", to_json("terms") AS "terms", to_json("weights") AS "weights", "liked", "disliked"
         FROM "subscriber_models" WHERE "subscriptionId" = ANY($1::uuid[])`,
      [subscriptionIds],
    );
    return new Map(
      rows.map((row) => [
        row.subscriptionId,
        { terms: row.terms, weights: Float32Array.from(row.weights), liked: row.liked, disliked: row.disliked },
      ]),
    );
  }
}
