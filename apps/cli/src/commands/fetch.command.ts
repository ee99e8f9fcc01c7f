import { Command, CommandRunner, Option } from 'nest-commander';
import { PipelineRunner } from '../pipeline-runner.service';
import { ATTEMPTS_OPTION, parseAttempts, parseListingDate, parseSeconds, TIMEOUT_OPTION } from './options';

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
    return parseListingDate(value);
  }

  @Option(TIMEOUT_OPTION)
  parseTimeout(value: string): number {
    return parseSeconds(value);
  }

  @Option(ATTEMPTS_OPTION)
  parseAttempts(value: string): number {
    return parseAttempts(value);
  }
}
