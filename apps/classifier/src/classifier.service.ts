import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import {
  isDataError,
  isWriteConflict,
  ListingClaim,
  ListingEntity,
  PaperMergeStatements,
  PaperRepository,
  RelevanceRepository,
} from '@libs/database';
import { Clock, termCounts } from '@libs/domain';
import {
  BatchMergePlan,
  isMatchableTitleKey,
  ListingMerge,
  normaliseListingIdentifiers,
  planBatchMerge,
  titleKey,
} from '@libs/domain/papers';
import { PaperEmbedder } from './paper-embedder';
import { TopicTagger } from './topic-tagger';

const MAX_TITLE = 1000;
const REPLACEMENTS = new Set(['replace', 'replace-cross']);
const MERGE_ATTEMPTS = 8;
/** Ready papers without relevance features a batch featurizes: its own, and older ones a step at a time. */
const FEATURIZE_PER_BATCH = 1000;

/** What the classifier makes of a listing: its merge into a paper, or why it cannot become one. */
export type Prepared = ListingMerge | { rejected: string };

/** A listing of a batch: made (part of) a paper, rejected with a reason, already classified, or not found. */
export type ListingOutcome = 'classified' | 'rejected' | 'skipped' | 'missing';

export type BatchSummary = Record<ListingOutcome, number>;

/** Turns stored listings into (parts of) their canonical papers, tags them and marks them ready, a batch at a time. */
@Injectable()
export class ClassifierService {
  constructor(
    private readonly papers: PaperRepository,
    private readonly tagger: TopicTagger,
    private readonly relevance: RelevanceRepository,
    private readonly clock: Clock,
    // Absent where a spec runs the service without queues; the app always has it (it queues nothing when off).
    @Optional() private readonly embedder?: PaperEmbedder,
  ) {}

  /**
   * Classifies a batch of listings in one transaction; each listing's outcome. Listings already classified (a
   * job that ran twice) are skipped, missing ones reported, unusable ones rejected with their reason: none of
   * them fails the rest of the batch.
   *
   * Race-free across workers: title-key locks serialise matching by title, and the unique indexes on arXiv id
   * and DOI make a batch that lost a race fail and run again on what the winner wrote. A listing the database
   * refuses (a value it cannot store) is rejected with the database's reason while the rest of the batch goes
   * in: the batch is halved until the one listing is found.
   */
  async classifyBatch(listingIds: readonly string[], now: Date = this.clock.now()): Promise<Map<string, ListingOutcome>> {
    const outcomes = await this.classifyRetrying(listingIds, now);
    const featurized = await this.featurizeReady();
    // Their embeddings (when configured) come from a job of their own: an outage there fails nothing here.
    await this.embedder?.queue(featurized);
    return outcomes;
  }

  /**
   * Stores the relevance term counts of ready papers that have none (docs/adr/0003-relevance-model.md):
   * the batch's new papers, and papers from before features existed, oldest first. Returns their ids.
   */
  async featurizeReady(limit = FEATURIZE_PER_BATCH): Promise<string[]> {
    const papers = await this.relevance.unfeaturized(limit);
    await this.relevance.storeFeatures(papers.map((paper) => ({ paperId: paper.id, counts: termCounts(paper) })));
    return papers.map((paper) => paper.id);
  }

  /** One transaction, run again after a lost race; halved around a listing the database refuses. */
  private async classifyRetrying(listingIds: readonly string[], now: Date): Promise<Map<string, ListingOutcome>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.papers.mergeTransaction((statements) => this.classifyIn(statements, listingIds, now));
      } catch (error) {
        if ((error instanceof ClaimLostError || isWriteConflict(error)) && attempt < MERGE_ATTEMPTS) {
          // Another worker wrote one of these papers meanwhile: read again, after a short random pause.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
          continue;
        }
        if (!isDataError(error)) {
          throw error;
        }
        if (listingIds.length === 1) {
          const reason = `could not be stored: ${error instanceof Error ? error.message : String(error)}`;
          const rejected = await this.papers.rejectUnstorable(listingIds[0], reason, now);
          return new Map([[listingIds[0], rejected ? 'rejected' : 'skipped']]);
        }
        const half = Math.ceil(listingIds.length / 2);
        const first = await this.classifyRetrying(listingIds.slice(0, half), now);
        const second = await this.classifyRetrying(listingIds.slice(half), now);
        return new Map([...first, ...second]);
      }
    }
  }

  /**
   * One attempt: reads the listings still unclassified, prepares each, merges them into the papers they reach
   * and claims them.
   */
  private async classifyIn(
    statements: PaperMergeStatements,
    listingIds: readonly string[],
    now: Date,
  ): Promise<Map<string, ListingOutcome>> {
    const outcomes = new Map<string, ListingOutcome>(listingIds.map((id) => [id, 'missing']));
    const rows = await statements.readListings(listingIds);
    const merges: ListingMerge[] = [];
    const claims: Omit<ListingClaim, 'version'>[] = [];
    // Each listing's row version as read, so the claim can tell a listing a fetch refreshed meanwhile.
    const versions = new Map(rows.map((row) => [row.id, row.version]));
    for (const row of rows) {
      if (row.classifiedAt) {
        outcomes.set(row.id, 'skipped');
        continue;
      }
      const prepared = prepare(row);
      if ('rejected' in prepared) {
        outcomes.set(row.id, 'rejected');
        claims.push({ id: row.id, paperId: null, reason: prepared.rejected });
      } else {
        outcomes.set(row.id, 'classified');
        merges.push(prepared);
      }
    }
    if (merges.length > 0) {
      const plan = await this.merge(statements, merges, now);
      claims.push(...plan.links.map((link) => ({ id: link.listingId, paperId: link.paperId, reason: null })));
    }
    if (claims.length > 0) {
      // The listings are claimed here, not locked when read: a second run of the same batch at the same moment
      // waits for the first to commit, claims fewer than it read, and runs again (skipping them) after a
      // rollback. A listing a fetch refreshed since it was read (its row version moved on) is not claimed
      // either: the batch runs again on its current details rather than mark it classified with the old ones.
      const claimed = await statements.claimListings(
        claims.map((claim) => ({ ...claim, version: versions.get(claim.id) })),
        now,
      );
      if (claimed !== claims.length) {
        throw new ClaimLostError(
          `${claims.length - claimed} listings of the batch were classified or refreshed by a fetch meanwhile`,
        );
      }
    }
    return outcomes;
  }

  /** Merges the batch in memory (planBatchMerge) into the papers it reaches, and writes and tags the result. */
  private async merge(statements: PaperMergeStatements, merges: ListingMerge[], now: Date): Promise<BatchMergePlan> {
    const titleKeys = [...new Set(merges.map((m) => m.titleKey).filter(isMatchableTitleKey))].sort();
    await statements.lockTitleKeys(titleKeys);
    const present = <T>(values: (T | null)[]): T[] => [...new Set(values.filter((v): v is T => v !== null))];
    const known = await statements.lockReachablePapers(
      present(merges.map((m) => m.identifiers.arxivId)),
      present(merges.map((m) => m.identifiers.doi)),
      titleKeys,
    );
    const plan = planBatchMerge(known, merges, now, randomUUID);
    // Tagged while the papers are written; the topics wait for it. Should a write fail first, nobody awaits the
    // tagging: its own failure, if any, adds nothing then. Topics come from the merged paper, so a second
    // source's keywords or categories count too.
    const tagging = this.tagger.tag(
      plan.retag.map((paper) => ({
        title: paper.title,
        abstract: paper.abstract,
        categories: paper.categories,
        keywords: paper.keywords,
      })),
    );
    tagging.catch(() => undefined);
    for (const { duplicateId, intoId } of plan.absorbed) {
      await statements.absorb(duplicateId, intoId);
    }
    await statements.updatePapers(plan.updated, known);
    await statements.insertPapers(plan.inserted);
    const fresh = new Set(plan.inserted.map((paper) => paper.id));
    const tags = await tagging;
    await statements.replaceTopics(
      plan.retag.map((paper, index) => ({ paperId: paper.id, tags: tags[index], fresh: fresh.has(paper.id) })),
    );
    return plan;
  }
}

/** How many listings of a batch ended each way. */
export function summarise(outcomes: Map<string, ListingOutcome>): BatchSummary {
  const summary: BatchSummary = { classified: 0, rejected: 0, skipped: 0, missing: 0 };
  for (const outcome of outcomes.values()) {
    summary[outcome] += 1;
  }
  return summary;
}

/** A concurrent run of the same batch classified some of its listings first: run the batch again. */
class ClaimLostError extends Error {}

/** The listing's merge into a paper, or why it cannot become (part of) one; never throws. */
function prepare(listing: ListingEntity): Prepared {
  try {
    const title = listing.title.trim();
    if (title === '') {
      return { rejected: 'empty title' };
    }
    if (title.length > MAX_TITLE) {
      return { rejected: `title of ${title.length} characters (more than ${MAX_TITLE}) is not a paper title` };
    }
    const identified = normaliseListingIdentifiers(listing);
    if (!identified.ok) {
      return { rejected: identified.reason };
    }
    const { identifiers } = identified;
    return {
      listingId: listing.id,
      identifiers,
      titleKey: titleKey(listing.title),
      replacement: REPLACEMENTS.has(listing.announceType?.trim().toLowerCase() ?? ''),
      metadata: {
        title: listing.title,
        abstract: listing.abstract,
        authors: listing.authors,
        upvotes: listing.upvotes ?? 0,
        keywords: listing.keywords,
        categories: listing.categories,
        summary: listing.summary,
        url: listing.url,
        codeUrl: listing.codeUrl,
        projectUrl: listing.projectUrl,
        version: identifiers.version,
        listedAt: listing.listedAt,
        publishedAt: listing.publishedAt,
      },
    };
  } catch (error) {
    // A listing no rule foresaw must not take its batch down with it.
    return { rejected: `could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}
