import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { FetchRunRepository, SourceRepository } from '@libs/database';
import { QueueName } from '@libs/queues';
import { DATED_KINDS, planBackfill, remainingDates } from './backfill-plan';
import { CliError, PipelineRunner } from './pipeline-runner.service';

export interface BackfillOptions {
  sourceId: string;
  from: string;
  to: string;
  /** For each date. */
  timeoutMs: number;
  /** Tries per date on transient errors. */
  attempts: number;
  now?: Date;
  /** Asked before each date: true stops the backfill there (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Called once the plan is known. */
  onPlan?: (plan: { total: number; done: string[]; todo: string[] }) => void;
  onDate?: (progress: { date: string; itemsSeen: number; itemsNew: number }) => void;
}

export interface BackfillSummary {
  sourceId: string;
  from: string;
  to: string;
  total: number;
  /** Dates a succeeded run already covered. */
  alreadyDone: number;
  fetched: number;
  listed: number;
  fresh: number;
  /** Dates whose run skipped malformed items. */
  withSkippedItems: number;
  /** Set when stopped before the end: the first date not fetched. */
  stoppedBefore: string | null;
}

/**
 * Fetches a range of listing dates of a dated source through the running fetcher, oldest first, one date
 * at a time. Dates a succeeded run already covers are skipped, so a re-run continues where one stopped.
 */
@Injectable()
export class BackfillService {
  constructor(
    private readonly runner: PipelineRunner,
    private readonly sources: SourceRepository,
    private readonly runs: FetchRunRepository,
  ) {}

  async backfill(options: BackfillOptions): Promise<BackfillSummary> {
    const { sourceId } = options;
    const source = await this.sources.findById(sourceId);
    if (!source) {
      throw new CliError(`Unknown source "${sourceId}": it is not in the sources file the fetcher loaded`);
    }
    if (!source.enabled) {
      throw new CliError(`Source "${sourceId}" is disabled${source.healthReason ? ` (${source.healthReason})` : ''}`);
    }
    if (!DATED_KINDS.includes(source.kind)) {
      throw new CliError(
        `Source "${sourceId}" is a ${source.kind} feed, which lists only its current items: it cannot be backfilled ` +
          `(backfill works for ${DATED_KINDS.join(' and ')} sources)`,
      );
    }
    const today = DateTime.fromJSDate(options.now ?? new Date(), { zone: source.timezone }).toISODate() as string;
    let planned: string[];
    try {
      planned = planBackfill(options.from, options.to, today);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const { todo, done } = remainingDates(planned, await this.runs.succeededDates(sourceId, options.from, options.to));
    if (todo.length > 0) {
      await this.runner.assertRunning([QueueName.Fetch, QueueName.Classify]);
    }
    options.onPlan?.({ total: planned.length, done, todo });

    const summary: BackfillSummary = {
      sourceId,
      from: options.from,
      to: options.to,
      total: planned.length,
      alreadyDone: done.length,
      fetched: 0,
      listed: 0,
      fresh: 0,
      withSkippedItems: 0,
      stoppedBefore: null,
    };
    for (const date of todo) {
      if (options.shouldStop?.()) {
        summary.stoppedBefore = date;
        break;
      }
      let outcome: Awaited<ReturnType<PipelineRunner['fetchDate']>>;
      try {
        outcome = await this.runner.fetchDate(sourceId, date, options.timeoutMs, options.attempts);
      } catch (error) {
        throw new CliError(
          `Backfill of "${sourceId}" stopped at ${date}: ${(error as Error).message}. ${summary.fetched} date(s) ` +
            `fetched before it; run the same command again to continue from ${date}.`,
        );
      }
      summary.fetched += 1;
      summary.listed += outcome.itemsSeen;
      summary.fresh += outcome.itemsNew;
      summary.withSkippedItems += outcome.skippedItems ? 1 : 0;
      options.onDate?.({ date, itemsSeen: outcome.itemsSeen, itemsNew: outcome.itemsNew });
    }
    return summary;
  }
}

/** The one line a backfill ends with. */
export function formatBackfillSummary(summary: BackfillSummary): string {
  const before = summary.alreadyDone > 0 ? `, ${summary.alreadyDone} already fetched before` : '';
  const skipped =
    summary.withSkippedItems > 0
      ? ` (${summary.withSkippedItems} run(s) skipped malformed items; see fetch_runs.error)`
      : '';
  const counts = `${summary.fetched} fetched${before}; ${summary.listed} listed, ${summary.fresh} new, all classified${skipped}`;
  if (summary.stoppedBefore) {
    return (
      `Backfill of ${summary.sourceId} interrupted before ${summary.stoppedBefore}: ${counts}. ` +
      `Run the same command again to continue from ${summary.stoppedBefore}.`
    );
  }
  return `Backfilled ${summary.sourceId} from ${summary.from} to ${summary.to}: ${summary.total} date(s), ${counts}.`;
}
