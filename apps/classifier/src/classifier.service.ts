import { Injectable } from '@nestjs/common';
import { ListingEntity, ListingRepository, MergedListing, PaperRepository } from '@libs/database';
import { classifyTopics, PermanentError } from '@libs/domain';
import { normaliseListingIdentifiers, PaperIdentifiers, titleKey } from '@libs/domain/papers';

const MAX_TITLE = 1000;
const REPLACEMENTS = new Set(['replace', 'replace-cross']);

export type ClassifyOutcome = 'classified' | 'rejected' | 'skipped';

/** Turns a stored listing into (part of) its canonical paper, tags it and marks it ready. */
@Injectable()
export class ClassifierService {
  constructor(
    private readonly listings: ListingRepository,
    private readonly papers: PaperRepository,
  ) {}

  async classifyListing(listingId: string, now: Date = new Date()): Promise<ClassifyOutcome> {
    const listing = await this.listings.findById(listingId);
    if (!listing) {
      throw new PermanentError(`Listing ${listingId} does not exist`);
    }
    if (listing.classifiedAt) {
      return 'skipped';
    }
    const identified = identify(listing);
    if (typeof identified === 'string') {
      await this.listings.markRejected(listing.id, identified, now);
      return 'rejected';
    }
    const merged = await this.merge(listing, identified, now);
    return merged ? 'classified' : 'skipped';
  }

  private merge(listing: ListingEntity, identifiers: PaperIdentifiers, now: Date): Promise<MergedListing | null> {
    return this.papers.mergeListing(
      {
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
      },
      // Topics come from the merged paper, so a second source's keywords or categories count too.
      (paper) =>
        classifyTopics({
          title: paper.title,
          abstract: paper.abstract,
          categories: paper.categories,
          keywords: paper.keywords,
        }),
      now,
    );
  }
}

/** The listing's normalised identifiers, or why it cannot become (part of) a paper. */
function identify(listing: ListingEntity): PaperIdentifiers | string {
  const title = listing.title.trim();
  if (title === '') {
    return 'empty title';
  }
  if (title.length > MAX_TITLE) {
    return `title of ${title.length} characters (more than ${MAX_TITLE}) is not a paper title`;
  }
  const identified = normaliseListingIdentifiers(listing);
  return identified.ok ? identified.identifiers : identified.reason;
}
