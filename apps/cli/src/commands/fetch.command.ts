import { DateTime } from 'luxon';
import { Command, CommandRunner, Option } from 'nest-commander';
import { PipelineRunner } from '../pipeline-runner.service';

export const DEFAULT_ATTEMPTS = 3;
export const ATTEMPTS_HELP = 'tries per source (or date) on timeouts, 5xx and 429, 5 s apart and doubling';

@Command({ name: 'fetch', description: 'Fetch sources now and wait until their new listings are classified' })
export class FetchCommand extends CommandRunner {
  constructor(private readonly runner: PipelineRunner) {
    super();
  }

  async run(
    _args: string[],
    options: { source?: string; date?: string; timeout: number; attempts: number },
  ): Promise<void> {
    console.log(
      await this.runner.fetch({
        sourceId: options.source,
        date: options.date,
        timeoutMs: options.timeout * 1000,
        attempts: options.attempts,
      }),
    );
  }

  @Option({ flags: '--source <id>', description: 'only this source (default: every source in the sources file)' })
  parseSource(value: string): string {
    return value;
  }

  @Option({
    flags: '--date <YYYY-MM-DD>',
    description: 'listing date to fetch (default: today in the source time zone)',
  })
  parseDate(value: string): string {
    // Date.parse rolls 2024-02-30 over to March; Luxon refuses it.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value, { zone: 'UTC' }).isValid) {
      throw new Error(`--date must be a date as YYYY-MM-DD (got "${value}")`);
    }
    return value;
  }

  @Option({ flags: '--timeout <seconds>', description: 'give up after this long', defaultValue: 300 })
  parseTimeout(value: string): number {
    return parseSeconds(value);
  }

  @Option({ flags: '--attempts <n>', description: ATTEMPTS_HELP, defaultValue: DEFAULT_ATTEMPTS })
  parseAttempts(value: string): number {
    return parseAttempts(value);
  }
}


export function parseAttempts(value: string): number {
  const attempts = Number(value);
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
    throw new Error(`--attempts must be a whole number from 1 to 10 (got "${value}")`);
  }
  return attempts;
}

export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`--timeout must be a positive number of seconds (got "${value}")`);
  }
  return seconds;
}
