import { Injectable } from '@nestjs/common';
import { ListingEntity, ListingOutcome, PaperRepository, Prepared, RelevanceRepository } from '@libs/database';
import { termCounts } from '@libs/domain';
import { normaliseListingIdentifiers, titleKey } from '@libs/domain/papers';
import { TopicTagger } from './topic-tagger';

const MAX_TITLE = 1000;
const REPLACEMENTS = new Set(['replace', 'replace-cross']);
/** Ready papers without relevance features a batch featurizes: its own, and older ones a step at a time. */
const FEATURIZE_PER_BATCH = 1000;

export type BatchSummary = Record<ListingOutcome, number>;

/** Turns stored listings into (parts of) their canonical papers, tags them and marks them ready, a batch at a time. */
@Injectable()
export class ClassifierService {
  constructor(
    private readonly papers: PaperRepository,
    private readonly tagger: TopicTagger,
    private readonly relevance: RelevanceRepository,
  ) {}

  /**
   * Classifies a batch of listings together (see PaperRepository.classifyListings); each listing's outcome.
   * Listings already classified (a job that ran twice) are skipped, missing ones reported, unusable ones
   * rejected with their reason: none of them fails the rest of the batch.
   */
  async classifyBatch(listingIds: readonly string[], now: Date = new Date()): Promise<Map<string, ListingOutcome>> {
    const outcomes = await this.papers.classifyListings(
      listingIds,
      prepare,
      // Topics come from the merged paper, so a second source's keywords or categories count too.
      (papers) =>
        this.tagger.tag(
          papers.map((paper) => ({
            title: paper.title,
            abstract: paper.abstract,
            categories: paper.categories,
            keywords: paper.keywords,
          })),
        ),
      now,
    );
    await this.featurizeReady();
    return outcomes;
  }

  /**
   * Stores the relevance term counts of ready papers that have none (docs/adr/0003-relevance-model.md):
   * the batch's new papers, and papers from before features existed, oldest first. Returns how many.
   */
  async featurizeReady(limit = FEATURIZE_PER_BATCH): Promise<number> {
    const papers = await this.relevance.unfeaturized(limit);
    await this.relevance.storeFeatures(papers.map((paper) => ({ paperId: paper.id, counts: termCounts(paper) })));
    return papers.length;
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
