import { Injectable } from '@nestjs/common';
import { ListingEntity, ListingRepository, PaperRepository } from '@libs/database';
import { classifyTopics, PermanentError } from '@libs/domain';

const MAX_TITLE = 1000;

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
    const problem = rejectionReason(listing);
    if (problem) {
      await this.listings.markRejected(listing.id, problem, now);
      return 'rejected';
    }
    // Topics come from the merged paper, so a second source's keywords or categories count too.
    await this.papers.mergeListing(
      listing,
      (paper) =>
        classifyTopics({
          title: paper.title,
          abstract: paper.abstract,
          categories: paper.categories,
          keywords: paper.keywords,
        }),
      now,
    );
    return 'classified';
  }
}

function rejectionReason(listing: ListingEntity): string | null {
  const title = listing.title.trim();
  if (title === '') {
    return 'empty title';
  }
  if (title.length > MAX_TITLE) {
    return `title of ${title.length} characters (more than ${MAX_TITLE}) is not a paper title`;
  }
  return null;
}
