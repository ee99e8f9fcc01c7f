import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { readFile } from 'node:fs/promises';
import { Settings } from '@libs/config';
import { SourceRepository } from '@libs/database';
import { JobName, jobOptionsFor, QueueName } from '@libs/queues';
import { parseSourcesFile } from './sources/sources-file';

const SCHEDULER_PREFIX = 'fetch-';

/**
 * Applies the sources file at boot: mirrors it into Postgres and keeps one BullMQ job scheduler per
 * source (and puts them back within a minute if Redis loses them). Replicas take a Postgres advisory lock around it, because concurrent upserts of the same
 * scheduler are a known BullMQ race; a removed source loses its scheduler.
 */
@Injectable()
export class FetchScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FetchScheduler.name);

  constructor(
    private readonly settings: Settings,
    private readonly sources: SourceRepository,
    @InjectQueue(QueueName.Fetch) private readonly queue: Queue,
  ) {}

  private keeper?: NodeJS.Timeout;
  private wantedSchedulers: string[] = [];

  onModuleDestroy(): void {
    clearInterval(this.keeper);
  }

  /** Puts back schedulers Redis lost (flushed, restarted empty); the sources are still in Postgres. */
  async restoreIfLost(): Promise<void> {
    try {
      const present = new Set((await this.queue.getJobSchedulers()).map((scheduler) => scheduler.key));
      if (this.wantedSchedulers.some((key) => !present.has(key))) {
        this.logger.warn('Fetch schedulers were missing from Redis: restoring them');
        await this.apply();
      }
    } catch (error) {
      this.logger.error(`Could not check the fetch schedulers: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.apply();
    this.keeper = setInterval(() => void this.restoreIfLost(), 60_000);
    this.keeper.unref();
  }

  private async apply(): Promise<void> {
    const file = this.settings.SOURCES_FILE;
    const content = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`Cannot read the sources file ${file} (SOURCES_FILE): ${error.code ?? error.message}`);
    });
    const definitions = parseSourcesFile(content, file);
    await this.sources.withLock('fetch-schedulers', async () => {
      await this.sources.syncFromFile(definitions);
      const wanted = new Set(definitions.map((source) => `${SCHEDULER_PREFIX}${source.id}`));
      this.wantedSchedulers = [...wanted];
      for (const scheduler of await this.queue.getJobSchedulers()) {
        if (scheduler.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(scheduler.key)) {
          await this.queue.removeJobScheduler(scheduler.key);
        }
      }
      for (const source of definitions) {
        const data = { sourceId: source.id };
        const { jobId: _ignored, ...opts } = jobOptionsFor(JobName.SourceFetch, data);
        await this.queue.upsertJobScheduler(
          `${SCHEDULER_PREFIX}${source.id}`,
          { pattern: source.schedule, tz: source.timezone },
          { name: JobName.SourceFetch, data, opts },
        );
      }
    });
    this.logger.log(`Scheduled ${definitions.length} source(s) from ${file}`);
  }
}
