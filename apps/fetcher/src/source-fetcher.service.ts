import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Settings } from '@libs/config';
import {
  FetchRunRepository,
  ListingRepository,
  SourceEntity,
  SourceHealthLevel,
  SourceRepository,
} from '@libs/database';
import { Clock, PermanentError, RetryLaterError } from '@libs/domain';
import { redactUrl } from '@libs/http';
import { classifyBatches, JobName, JobProducer, QueueName } from '@libs/queues';
import { isSettled, planListingDates } from './listing-dates';
import { fetchSchedulerKey } from './fetch-scheduler';
import { assessHealth, FAILING_AFTER, FetchVerdict } from './source-health';
import { ArxivApiClient } from './sources/arxiv/arxiv-api.client';
import { ArxivRssClient, RssClient } from './sources/rss/feed.client';
import { HfDailyPapersClient } from './sources/hf/hf-daily-papers.client';
import { isListingDay } from './sources/arxiv/listing-calendar';
import { MAX_LOOKUP_IDS, parseLookupIds } from './sources/arxiv/lookup-ids';
import {
  httpStatusOf,
  SourceClient,
  SourceGoneError,
  SourceListings,
  UpstreamRetryAfterError,
} from './sources/shared/source-client';
import type { SourceKind } from './sources/shared/sources-file';

export interface FetchResult {
  /** The run of the newest listing date (the CLI waits on it). */
  fetchRunId: string;
  /** Every run of this fetch, oldest listing date first. */
  fetchRunIds: string[];
}

/**
 * A run still `running` this long after it started belongs to a fetcher that died: far longer than any
 * run takes (25 pages of 30 s at most, 3 s apart).
 */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** The longest `Retry-After` the job waits for; a longer one gets the job's own backoff. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
/** Even a `Retry-After: 0` waits this long, so a busy upstream is not asked again at once. */
const MIN_RETRY_AFTER_MS = 1000;

interface DateOutcome {
  fetchRunId: string;
  itemsSeen: number;
  problems: string[];
}

/**
 * Fetches a source, stores what is new and queues it for classification; keeps the source's cursor,
 * validators, URL and health. Each listing date is its own run, so a retry repeats nothing.
 */
@Injectable()
export class SourceFetcherService {
  private readonly logger = new Logger(SourceFetcherService.name);
  private readonly clients: Record<SourceKind, SourceClient>;
  private readonly arxivApi: ArxivApiClient;

  constructor(
    private readonly sources: SourceRepository,
    private readonly runs: FetchRunRepository,
    private readonly listings: ListingRepository,
    private readonly producer: JobProducer,
    private readonly settings: Settings,
    hfDailyPapers: HfDailyPapersClient,
    arxivRss: ArxivRssClient,
    arxivApi: ArxivApiClient,
    rss: RssClient,
    private readonly clock: Clock,
  ) {
    this.clients = { 'hf-daily-papers': hfDailyPapers, 'arxiv-rss': arxivRss, 'arxiv-api': arxivApi, rss };
    this.arxivApi = arxivApi;
  }

  /**
   * With a date, fetches that listing date only and leaves the cursor alone (a backfill). Without one (a
   * scheduled run), a dated source catches up from its cursor to today, oldest first, and stops at the
   * first date that fails, so the job's retry resumes there. A feed has one listing date: the fetch date.
   */
  async fetch(sourceId: string, date: string | undefined, now: Date = this.clock.now()): Promise<FetchResult> {
    const source = await this.enabledSource(sourceId);
    if (date !== undefined && !isCalendarDate(date)) {
      throw new PermanentError(`"${date}" is not a calendar date (YYYY-MM-DD)`);
    }
    const client = this.clientFor(source);
    const mode = client.mode;
    const today = DateTime.fromJSDate(now, { zone: source.timezone }).toISODate() as string;
    let dates: string[];
    if (mode.kind === 'feed') {
      if (date !== undefined && date !== today) {
        this.logger.log(`${source.id}: a feed lists only its current items; fetched as of ${today}, not ${date}`);
      }
      dates = [today];
    } else {
      dates = date !== undefined ? [date] : planListingDates(source.cursorDate, today, mode);
    }

    const abandoned = await this.runs.closeAbandoned(source.id, new Date(now.getTime() - ABANDONED_AFTER_MS), now);
    if (abandoned > 0) {
      this.logger.warn(`${source.id}: closed ${abandoned} run(s) left running by a fetcher that stopped`);
    }
    // `now` is when this fetch started (tests set it); each run of a catch-up starts that much later.
    const started = Date.now();
    const clock = (): Date => new Date(now.getTime() + Date.now() - started);
    const outcomes: (DateOutcome & { listingDate: string })[] = [];
    const skippedDates: string[] = [];
    for (const [index, listingDate] of dates.entries()) {
      try {
        outcomes.push({
          listingDate,
          ...(await this.fetchDate(source, client, listingDate, clock(), date === undefined)),
        });
      } catch (error) {
        // A date that can never be fetched (a 4xx, an oversized body) must not hold back the dates after
        // it: its failed run is recorded, the source turns degraded, and the catch-up goes on.
        if (error instanceof PermanentError && !(error instanceof SourceGoneError) && index < dates.length - 1) {
          const reason = error.message.split('\n')[0];
          this.logger.warn(`${source.id} ${listingDate}: skipped in the catch-up: ${reason}`);
          skippedDates.push(`${listingDate} could not be fetched: ${reason}`);
          continue;
        }
        const consecutiveFailures = await this.afterFailure(source, error, now);
        throw retryLaterIfAsked(error, consecutiveFailures);
      }
    }
    const quietDays =
      mode.kind === 'dated'
        ? outcomes
            .filter(
              (outcome) =>
                outcome.itemsSeen === 0 &&
                isSettled(outcome.listingDate, today, mode) &&
                isListingDay(mode.calendar, outcome.listingDate),
            )
            .map((outcome) => outcome.listingDate)
        : [];
    await this.judge(
      source,
      { failed: false, skipped: [...skippedDates, ...outcomes.flatMap((o) => o.problems)], quietDays },
      now,
    );
    const fetchRunIds = outcomes.map((outcome) => outcome.fetchRunId);
    return { fetchRunId: fetchRunIds[fetchRunIds.length - 1], fetchRunIds };
  }

  /**
   * Looks papers up by arXiv id on an arxiv-api source (their latest version, or the one named), stores
   * them as that source's listings and queues them for classification, in one recorded run without a
   * listing date: it fills gaps (a paper another source named, a revision) and moves no cursor.
   */
  async lookup(sourceId: string, arxivIds: string[], now: Date = this.clock.now()): Promise<FetchResult> {
    const source = await this.enabledSource(sourceId);
    if (source.kind !== 'arxiv-api') {
      throw new PermanentError(
        `Source "${sourceId}" is a ${source.kind} source: lookups by id need an arxiv-api source`,
      );
    }
    const ids = parseLookupIds(arxivIds);
    let outcome: DateOutcome;
    try {
      outcome = await this.recordRun(source, null, now, () => this.arxivApi.lookup(source, ids, now), false);
    } catch (error) {
      const consecutiveFailures = await this.afterFailure(source, error, now);
      throw retryLaterIfAsked(error, consecutiveFailures);
    }
    await this.judge(source, { failed: false, skipped: outcome.problems, quietDays: [] }, now);
    return { fetchRunId: outcome.fetchRunId, fetchRunIds: [outcome.fetchRunId] };
  }

  private async enabledSource(sourceId: string): Promise<SourceEntity> {
    const source = await this.sources.findById(sourceId);
    if (!source) {
      throw new PermanentError(`Unknown source "${sourceId}": it is not in the sources file`);
    }
    if (!source.enabled) {
      const why = source.goneAt
        ? `is disabled since ${source.goneAt.toISOString()}: ${source.healthReason ?? 'upstream answered 410 Gone'} (change its url in the sources file, or run \`sources enable ${sourceId}\`)`
        : 'is no longer in the sources file';
      throw new PermanentError(`Source "${sourceId}" ${why}`);
    }
    return source;
  }

  private fetchDate(
    source: SourceEntity,
    client: SourceClient,
    listingDate: string,
    now: Date,
    scheduled: boolean,
  ): Promise<DateOutcome> {
    // An explicit date is a backfill: the cursor follows the scheduled runs only.
    const movesCursor = scheduled || client.mode.kind === 'feed';
    return this.recordRun(source, listingDate, now, () => client.fetchListings(source, listingDate, now), movesCursor);
  }

  /** One recorded run: fetch, store the new listings, queue them, keep the feed's state, say how it went. */
  private async recordRun(
    source: SourceEntity,
    listingDate: string | null,
    now: Date,
    fetch: () => Promise<SourceListings>,
    movesCursor: boolean,
  ): Promise<DateOutcome> {
    const fetchRunId = await this.runs.start(source.id, listingDate, now);
    const label = listingDate ?? 'lookup';
    try {
      const fetched = await fetch();
      const { inserted, refreshed } = await this.listings.store(source.id, fetchRunId, fetched.listings);
      await this.queueForClassification(inserted, refreshed);
      await this.queueLookups(source, inserted);
      const notes = await this.keepFeedState(source, fetched);
      if (movesCursor && listingDate !== null) {
        await this.sources.advanceCursor(source.id, listingDate);
      }
      await this.sources.recordRunOutcome(source.id, true);
      const lines = [...notes, ...fetched.problems];
      await this.runs.finish(
        fetchRunId,
        {
          status: 'succeeded',
          httpStatus: fetched.httpStatus,
          itemsSeen: fetched.listings.length,
          itemsNew: inserted.length,
          error: lines.length > 0 ? lines.join('\n') : null,
        },
        this.clock.now(),
      );
      this.logger.log(
        fetched.httpStatus === 304
          ? `${source.id} ${label}: not modified`
          : `${source.id} ${label}: ${fetched.listings.length} listed, ${inserted.length} new, ${refreshed.length} changed`,
      );
      return { fetchRunId, itemsSeen: fetched.listings.length, problems: fetched.problems };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.runs.finish(
        fetchRunId,
        { status: 'failed', httpStatus: httpStatusOf(error), itemsSeen: 0, itemsNew: 0, error: message },
        this.clock.now(),
      );
      throw error;
    }
  }

  /** Stores a feed's validators and follows its permanent redirects; returns what the run should say. */
  private async keepFeedState(source: SourceEntity, fetched: SourceListings): Promise<string[]> {
    const notes: string[] = [];
    if (fetched.movedTo && (await this.sources.moveUrl(source.id, source.url, fetched.movedTo))) {
      notes.push(
        `moved permanently from ${redactUrl(source.url)} to ${redactUrl(fetched.movedTo)}; the source now uses the new URL`,
      );
      this.logger.warn(`${source.id}: ${notes[0]}`);
    }
    if (fetched.validators) {
      await this.sources.saveValidators(source.id, fetched.validators);
    }
    return notes;
  }

  /**
   * A failed run: counts it, disables a gone source, and judges the source's health. Returns the failed
   * runs in a row, null when they could not be counted.
   */
  private async afterFailure(source: SourceEntity, error: unknown, now: Date): Promise<number | null> {
    const message = error instanceof Error ? error.message : String(error);
    try {
      const gone = error instanceof SourceGoneError;
      if (gone) {
        await this.sources.markGone(source.id, now);
        await this.producer.queue(QueueName.Fetch).removeJobScheduler(fetchSchedulerKey(source.id));
      }
      const consecutiveFailures = await this.sources.recordRunOutcome(source.id, false);
      await this.judge(source, { failed: true, error: message, consecutiveFailures, gone }, now);
      return consecutiveFailures;
    } catch (bookkeeping) {
      // The fetch's own error is what the job must report; this one only goes to the log.
      this.logger.error(`${source.id}: could not record the failure (${String(bookkeeping)}) of: ${message}`);
      return null;
    }
  }

  private async judge(source: SourceEntity, verdict: FetchVerdict, now: Date): Promise<void> {
    const health = await this.sources.updateHealth(source.id, (current) => assessHealth(current, verdict), now);
    if (health && health.before !== health.after) {
      const message = `${source.id} is ${health.after} (was ${health.before})${health.reason ? `: ${health.reason}` : ''}`;
      if (health.after === 'healthy') {
        this.logger.log(message);
      } else {
        this.logger.warn(message);
      }
      await this.queueAlert(source.id, health.after, now);
    }
  }

  /**
   * One alert per change of health, when operators configured a channel. The job id comes from the
   * source and the instant of the change, so a second enqueue for the same change is a no-op.
   */
  private async queueAlert(sourceId: string, health: SourceHealthLevel, changedAt: Date): Promise<void> {
    if (!this.settings.ALERT_EMAIL && !this.settings.ALERT_SLACK_WEBHOOK_URL) {
      return;
    }
    try {
      await this.producer.enqueue(JobName.SourceHealthAlert, { sourceId, health, changedAt: changedAt.toISOString() });
    } catch (error) {
      // The fetch itself went as recorded; a lost alert must not fail or retry it.
      this.logger.error(`${sourceId}: could not queue the ${health} alert: ${String(error)}`);
    }
  }

  /**
   * Queues this run's listings in batches (classifyBatches), whose job ids come from their listing ids, so the
   * same batch is never queued twice. A refreshed listing is unclassified again, and its batch may have run
   * already: `requeue` replaces a finished job, which a plain add with the same id would silently keep.
   * Listings whose job was lost are ListingReconciler's.
   */
  private async queueForClassification(inserted: string[], refreshed: string[]): Promise<void> {
    await this.producer.enqueueMany(JobName.ListingsClassify, classifyBatches(inserted));
    for (const batch of classifyBatches(refreshed)) {
      await this.producer.requeue(JobName.ListingsClassify, batch);
    }
  }

  /**
   * Asks the source's `lookupWith` arxiv-api source for the new listings' arXiv ids, so a paper Hugging Face
   * lists gets arXiv's categories, comment and full author list too. A lookup that cannot be queued is
   * logged and leaves this run alone: the listings are stored, and only the enrichment is missing.
   */
  private async queueLookups(source: SourceEntity, inserted: string[]): Promise<void> {
    if (!source.lookupWith || inserted.length === 0) {
      return;
    }
    const arxivIds = await this.listings.arxivIdsOf(inserted);
    for (let start = 0; start < arxivIds.length; start += MAX_LOOKUP_IDS) {
      const chunk = arxivIds.slice(start, start + MAX_LOOKUP_IDS);
      try {
        await this.producer.enqueue(JobName.SourceLookup, { sourceId: source.lookupWith, arxivIds: chunk });
      } catch (error) {
        this.logger.error(`${source.id}: could not queue the lookup of ${chunk.length} arXiv id(s): ${String(error)}`);
      }
    }
  }

  private clientFor(source: SourceEntity): SourceClient {
    const client = (this.clients as Record<string, SourceClient | undefined>)[source.kind];
    if (!client) {
      throw new PermanentError(`Source "${source.id}" has kind "${source.kind}", which this fetcher cannot read`);
    }
    return client;
  }
}

/**
 * A 429 or 503 that said when to come back delays the job by that much without spending an attempt. It
 * still counts as a failed run: once the source is failing, the job falls back to its backoff and
 * attempts, so an upstream that always says "later" cannot keep a job alive for ever.
 */
export function retryLaterIfAsked(error: unknown, consecutiveFailures: number | null): unknown {
  if (
    error instanceof UpstreamRetryAfterError &&
    consecutiveFailures !== null &&
    consecutiveFailures < FAILING_AFTER &&
    error.retryAfterMs <= MAX_RETRY_AFTER_MS
  ) {
    // The same message: the run, the health reason and the CLI say what the upstream answered.
    return new RetryLaterError(Math.max(error.retryAfterMs, MIN_RETRY_AFTER_MS), error.message);
  }
  return error;
}

export function isCalendarDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
}
