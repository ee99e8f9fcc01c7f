import { Command, CommandRunner } from 'nest-commander';
import { EmbedBackfillService } from '../embed-backfill.service';

@Command({
  name: 'embed',
  description:
    'Queue the embedding of every ready paper that has none of EMBEDDINGS_MODEL; the running classifier makes them',
})
export class EmbedCommand extends CommandRunner {
  constructor(private readonly backfill: EmbedBackfillService) {
    super();
  }

  async run(): Promise<void> {
    const { papers, jobs } = await this.backfill.queueMissing((queued) =>
      process.stderr.write(`${queued} paper(s) queued\n`),
    );
    console.log(
      papers === 0
        ? 'Every ready paper has an embedding of the configured model.'
        : `Queued ${papers} paper(s) in ${jobs} embed job(s); the classifier embeds them (failed jobs retry with backoff).`,
    );
  }
}
