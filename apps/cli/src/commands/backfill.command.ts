import { Presets, SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { parseCalendarDate } from '../backfill-plan';
import { BackfillService, formatBackfillSummary } from '../backfill.service';
import { ATTEMPTS_OPTION, parseAttempts, parseSeconds, TIMEOUT_OPTION } from './options';

/** 128 + SIGINT, what shells report for a command stopped by Ctrl-C. */
const INTERRUPTED_EXIT_CODE = 130;

@Command({
  name: 'backfill',
  description: 'Fetch every listing date of a dated source from --from to --to, oldest first; resumable',
})
export class BackfillCommand extends CommandRunner {
  constructor(private readonly backfills: BackfillService) {
    super();
  }

  async run(
    _args: string[],
    options: { source?: string; from?: string; to?: string; timeout: number; attempts: number },
  ): Promise<void> {
    const missing = (['source', 'from', 'to'] as const).filter((flag) => options[flag] === undefined);
    if (missing.length > 0) {
      throw new Error(`backfill needs ${missing.map((flag) => `--${flag}`).join(', ')}`);
    }
    let stopping = false;
    // First Ctrl-C: finish the current date (its run is recorded), then stop; a second one quits at once.
    const onInterrupt = (): void => {
      if (stopping) {
        process.exit(INTERRUPTED_EXIT_CODE);
      }
      stopping = true;
      process.stderr.write('\nStopping after the current date (Ctrl-C again to quit now)…\n');
    };
    process.on('SIGINT', onInterrupt);
    // A bar on a terminal; a line per date in logs and pipes, where a redrawn bar would be noise.
    const bar = process.stderr.isTTY
      ? new SingleBar(
          {
            format: `Backfilling ${options.source} [{bar}] {value}/{total} dates | {date} | {fresh} new | {eta_formatted}`,
            hideCursor: true,
          },
          Presets.shades_classic,
        )
      : null;
    let fresh = 0;
    let position = 0;
    let total = 0;
    try {
      const summary = await this.backfills.backfill({
        sourceId: options.source as string,
        from: options.from as string,
        to: options.to as string,
        timeoutMs: options.timeout * 1000,
        attempts: options.attempts,
        shouldStop: () => stopping,
        onPlan: (plan) => {
          total = plan.total;
          position = plan.done.length;
          if (bar) {
            bar.start(plan.total, plan.done.length, { date: plan.todo[0] ?? '-', fresh: 0 });
          } else {
            for (const date of plan.done) {
              process.stderr.write(`${date}: already fetched, skipped\n`);
            }
          }
        },
        onDate: (progress) => {
          fresh += progress.itemsNew;
          position += 1;
          if (bar) {
            bar.update(position, { date: progress.date, fresh });
          } else {
            process.stderr.write(
              `${progress.date}: ${progress.itemsSeen} listed, ${progress.itemsNew} new (${position}/${total})\n`,
            );
          }
        },
      });
      bar?.stop();
      console.log(formatBackfillSummary(summary));
      if (summary.stoppedBefore) {
        process.exitCode = INTERRUPTED_EXIT_CODE;
      }
    } finally {
      bar?.stop();
      process.off('SIGINT', onInterrupt);
    }
  }

  @Option({ flags: '--source <id>', description: 'the source (hf-daily-papers or arxiv-api)', required: true })
  parseSource(value: string): string {
    return value;
  }

  @Option({ flags: '--from <YYYY-MM-DD>', description: 'oldest listing date', required: true })
  parseFrom(value: string): string {
    return parseCalendarDate('--from', value);
  }

  @Option({
    flags: '--to <YYYY-MM-DD>',
    description: 'newest listing date (at most today, 366 dates in all)',
    required: true,
  })
  parseTo(value: string): string {
    return parseCalendarDate('--to', value);
  }

  @Option({ ...TIMEOUT_OPTION, description: 'give up on a date after this long' })
  parseTimeout(value: string): number {
    return parseSeconds(value);
  }

  @Option(ATTEMPTS_OPTION)
  parseAttempts(value: string): number {
    return parseAttempts(value);
  }
}
