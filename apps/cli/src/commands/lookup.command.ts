import { Command, CommandRunner, Option } from 'nest-commander';
import { PipelineRunner } from '../pipeline-runner.service';
import { ATTEMPTS_OPTION, parseAttempts, parseSeconds, TIMEOUT_OPTION } from './options';

@Command({
  name: 'lookup',
  arguments: '<ids...>',
  description: 'Fetch papers by arXiv id (any form: 2410.17243, arXiv:2410.17243v2, abs URLs) from an arxiv-api source',
})
export class LookupCommand extends CommandRunner {
  constructor(private readonly runner: PipelineRunner) {
    super();
  }

  async run(ids: string[], options: { source?: string; timeout: number; attempts: number }): Promise<void> {
    if (options.source === undefined) {
      throw new Error('lookup needs --source, the id of an arxiv-api source in the sources file');
    }
    console.log(
      await this.runner.lookup({
        sourceId: options.source,
        arxivIds: ids,
        timeoutMs: options.timeout * 1000,
        attempts: options.attempts,
      }),
    );
  }

  @Option({ flags: '--source <id>', description: 'the arxiv-api source to ask', required: true })
  parseSource(value: string): string {
    return value;
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
