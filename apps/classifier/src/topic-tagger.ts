import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { TopicInput, TopicTag } from '@libs/domain';

export interface TaggingRequest {
  id: number;
  papers: TopicInput[];
}

export interface TaggingResponse {
  id: number;
  tags: TopicTag[][];
}

interface Pending {
  resolve: (tags: TopicTag[][]) => void;
  reject: (error: Error) => void;
}

/**
 * Topic tagging (classifyTopics, the regex-heavy part of classifying: about a third of the classifier's CPU) on a
 * worker thread. On the event loop, tagging a batch held up every other batch's next statement while Postgres had
 * nothing to do for them; on its own thread it runs beside them, and beside its own batch's paper inserts.
 */
@Injectable()
export class TopicTagger implements OnModuleDestroy {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /** Each paper's topics, as classifyTopics gives them. */
  tag(papers: TopicInput[]): Promise<TopicTag[][]> {
    if (papers.length === 0) {
      return Promise.resolve([]);
    }
    const id = this.nextId++;
    return new Promise<TopicTag[][]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.running().postMessage({ id, papers } satisfies TaggingRequest);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.terminate();
  }

  private running(): Worker {
    if (this.worker !== null) {
      return this.worker;
    }
    // The compiled worker next to this file; from the sources (tests), through the same TypeScript loader.
    const extension = extname(__filename);
    const worker = new Worker(join(__dirname, `topic-tagging.worker${extension}`), {
      execArgv: extension === '.ts' ? ['-r', '@swc-node/register'] : [],
    });
    worker.on('message', ({ id, tags }: TaggingResponse) => {
      this.pending.get(id)?.resolve(tags);
      this.pending.delete(id);
    });
    const fail = (error: Error): void => {
      // A new worker takes the next request; the ones this one had fail (their batches run again).
      if (this.worker === worker) {
        this.worker = null;
      }
      for (const request of this.pending.values()) {
        request.reject(error);
      }
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`Topic tagging worker exited with code ${code}`)));
    // Idle, it must not keep the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
