import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { DigestPreviewService } from '../digest-preview.service';
import { PipelineRunner } from '../pipeline-runner.service';
import { NOW_OPTION, parseInstant, parseSeconds, TIMEOUT_OPTION } from './options';

@SubCommand({ name: 'send', description: 'Send every digest that is due, as if the clock read --now' })
export class DigestSendCommand extends CommandRunner {
  constructor(private readonly runner: PipelineRunner) {
    super();
  }

  async run(_args: string[], options: { now?: Date; timeout: number }): Promise<void> {
    const { summary, failed } = await this.runner.sendDigests({ now: options.now ?? new Date(), timeoutMs: options.timeout * 1000 });
    console.log(summary);
    if (failed > 0) {
      process.exitCode = 1;
    }
  }

  @Option(NOW_OPTION)
  parseNow(value: string): Date {
    return parseInstant(value);
  }

  @Option(TIMEOUT_OPTION)
  parseTimeout(value: string): number {
    return parseSeconds(value);
  }
}

@SubCommand({ name: 'preview', description: 'Print the next digest of a subscription without sending or recording it' })
export class DigestPreviewCommand extends CommandRunner {
  constructor(private readonly previews: DigestPreviewService) {
    super();
  }

  async run(_args: string[], options: { subscription?: string; now?: Date }): Promise<void> {
    if (!options.subscription) {
      throw new Error('--subscription <id> is required');
    }
    console.log(await this.previews.preview(options.subscription, options.now ?? new Date()));
  }

  @Option({ flags: '--subscription <id>', description: 'the subscription to preview', required: true })
  parseSubscription(value: string): string {
    return value;
  }

  @Option({ ...NOW_OPTION, description: 'preview as if the clock read this instant' })
  parseNow(value: string): Date {
    return parseInstant(value);
  }
}

@Command({ name: 'digest', description: 'Digest operations', subCommands: [DigestSendCommand, DigestPreviewCommand] })
export class DigestCommand extends CommandRunner {
  run(): Promise<void> {
    this.command.help();
  }
}
