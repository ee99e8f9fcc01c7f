import { Processor } from '@nestjs/bullmq';
import { Clock } from '@libs/domain';
import { DeclaredWorker, JobName, QueueHandlers, QueueName } from '@libs/queues';
import { PaperEmbedder } from './paper-embedder';

// One job at a time: the embeddings service is shared and often rate-limited, and the featurizer already
// sends a job's papers a batch after another.
@Processor(QueueName.Embed, { concurrency: 1 })
export class EmbedProcessor extends DeclaredWorker<QueueName.Embed> {
  protected readonly handlers: QueueHandlers<QueueName.Embed> = {
    [JobName.PapersEmbed]: async ({ paperIds }) => ({
      embedded: await this.embedder.embed(paperIds, this.clock.now()),
    }),
  };

  constructor(
    private readonly embedder: PaperEmbedder,
    private readonly clock: Clock,
  ) {
    super(QueueName.Embed);
  }
}
