import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { FetchRunRepository, ListingRepository, SourceEntity, SourceRepository } from '@libs/database';
import { PermanentError } from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';
import { HfDailyPapersClient } from './sources/hf-daily-papers.client';
import { httpStatusOf, SourceClient } from './sources/source-client';

/** Fetches one source for one date, stores what is new, and queues it for classification. */
@Injectable()
export class SourceFetcherService {
  private readonly logger = new Logger(SourceFetcherService.name);
  private readonly clients: Record<string, SourceClient>;

  constructor(
    private readonly sources: SourceRepository,
    private readonly runs: FetchRunRepository,
    private readonly listings: ListingRepository,
    private readonly producer: JobProducer,
    hfDailyPapers: HfDailyPapersClient,
  ) {
    this.clients = { 'hf-daily-papers': hfDailyPapers };
  }

  async fetch(sourceId: string, date: string | undefined, now: Date = new Date()): Promise<{ fetchRunId: string }> {
    const source = await this.sources.findById(sourceId);
    if (!source) {
      throw new PermanentError(`Unknown source "${sourceId}": it is not in the sources file`);
    }
    if (!source.enabled) {
      throw new PermanentError(`Source "${sourceId}" is no longer in the sources file`);
    }
    if (date !== undefined && !isCalendarDate(date)) {
      throw new PermanentError(`"${date}" is not a calendar date (YYYY-MM-DD)`);
    }
    const listingDate = date ?? (DateTime.fromJSDate(now, { zone: source.timezone }).toISODate() as string);
    const fetchRunId = await this.runs.start(source.id, listingDate, now);
    try {
      const fetched = await this.clientFor(source).fetchListings(source, listingDate);
      const inserted = await this.listings.insertNew(source.id, fetchRunId, fetched.listings);
      await this.queueUnclassified(source.id);
      await this.runs.finish(
        fetchRunId,
        {
          status: 'succeeded',
          httpStatus: fetched.httpStatus,
          itemsSeen: fetched.listings.length,
          itemsNew: inserted.length,
          error: fetched.problems.length > 0 ? fetched.problems.join('\n') : null,
        },
        new Date(),
      );
      this.logger.log(`${source.id} ${listingDate}: ${fetched.listings.length} listed, ${inserted.length} new`);
      return { fetchRunId };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.runs.finish(
        fetchRunId,
        { status: 'failed', httpStatus: httpStatusOf(error), itemsSeen: 0, itemsNew: 0, error: message },
        new Date(),
      );
      throw error;
    }
  }

  /**
   * Queues every listing of the source not classified yet, not only this run's: a listing stored by a
   * run whose enqueue was lost (Redis restart, crash) is picked up by the next run. Job ids dedupe.
   */
  private async queueUnclassified(sourceId: string): Promise<void> {
    const ids = await this.listings.findUnclassifiedIds(sourceId);
    await this.producer.enqueueMany(
      JobName.ListingClassify,
      ids.map((listingId) => ({ listingId })),
    );
  }

  private clientFor(source: SourceEntity): SourceClient {
    const client = this.clients[source.kind];
    if (!client) {
      throw new PermanentError(`Source "${source.id}" has kind "${source.kind}", which this fetcher cannot read`);
    }
    return client;
  }
}

export function isCalendarDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
}
