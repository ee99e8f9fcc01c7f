import { extname, join } from 'node:path';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';
import type { TopicInput, TopicTag } from '@libs/domain';

/**
 * Topic tagging (classifyTopics, the regex-heavy part of classifying: about a third of the classifier's CPU) on
 * a worker thread. On the event loop, tagging a batch held up every other batch's next statement while Postgres
 * had nothing to do for them; on its own thread it runs beside them, and beside its own batch's paper inserts.
 * One thread: the classifier's event loop and Postgres use the other cores.
 */
@Injectable()
export class TopicTagger implements OnModuleDestroy {
  private readonly pool: Piscina<TopicInput[], TopicTag[][]>;

  constructor() {
    // The compiled worker next to this file; from the sources (tests), through the same TypeScript loader.
    const extension = extname(__filename);
    this.pool = new Piscina({
      filename: join(__dirname, `topic-tagging.worker${extension}`),
      minThreads: 1,
      maxThreads: 1,
      execArgv: extension === '.ts' ? ['-r', '@swc-node/register'] : [],
    });
  }

  /** Each paper's topics, as classifyTopics gives them. */
  tag(papers: TopicInput[]): Promise<TopicTag[][]> {
    return papers.length === 0 ? Promise.resolve([]) : this.pool.run(papers);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }
}
