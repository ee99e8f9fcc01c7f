import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { readFile } from 'node:fs/promises';
import { Settings } from '@libs/config';
import { SourceRepository } from '@libs/database';
import { Clock } from '@libs/domain';
import { JobName, jobOptionsFor, QueueName } from '@libs/queues';
import { arxivCalendarWarning } from './sources/arxiv/listing-calendar';
import { parseSourcesFile, SourceConfig } from './sources/shared/sources-file';

const SCHEDULER_PREFIX = 'fetch-';

export const fetchSchedulerKey = (sourceId: string): string => `${SCHEDULER_PREFIX}${sourceId}`;

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
    private readonly clock: Clock,
  ) {}

  private keeper?: NodeJS.Timeout;
  private wantedSchedulers: string[] = [];

  onModuleDestroy(): void {
    clearInterval(this.keeper);
  }

  /** Puts back schedulers Redis lost (flushed, restarted empty) and follows sources enabled or gone since. */
  async restoreIfLost(): Promise<void> {
    try {
      const present = new Set((await this.queue.getJobSchedulers()).map((scheduler) => scheduler.key));
      if (this.wantedSchedulers.some((key) => !present.has(key))) {
        this.logger.warn('Fetch schedulers were missing from Redis: restoring them');
        await this.apply();
        return;
      }
      // A source enabled again (`sources enable`) or disabled by a 410 since the last apply.
      const active = (await this.sources.findEnabled()).map((source) => fetchSchedulerKey(source.id));
      if (
        active.length !== this.wantedSchedulers.length ||
        active.some((key) => !this.wantedSchedulers.includes(key))
      ) {
        await this.apply();
      }
    } catch (error) {
      this.logger.error(
        `Could not check the fetch schedulers: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const scheduled = await this.apply();
    const calendarWarning = arxivCalendarWarning(
      this.clock.now().getUTCFullYear(),
      scheduled.map((source) => source.kind),
    );
    if (calendarWarning) {
      this.logger.warn(calendarWarning);
    }
    this.keeper = setInterval(() => void this.restoreIfLost(), 60_000);
    this.keeper.unref();
  }

  /** Returns the sources it scheduled. */
  private async apply(): Promise<SourceConfig[]> {
    const file = this.settings.SOURCES_FILE;
    const content = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`Cannot read the sources file ${file} (SOURCES_FILE): ${error.code ?? error.message}`);
    });
    const definitions = parseSourcesFile(content, file);
    let scheduled: SourceConfig[] = [];
    await this.sources.withLock('fetch-schedulers', async (locked) => {
      // A source disabled by a 410 keeps no scheduler until it is enabled again.
      const active = new Set(await this.sources.syncFromFile(definitions, locked));
      scheduled = definitions.filter((source) => active.has(source.id));
      const wanted = new Set(scheduled.map((source) => fetchSchedulerKey(source.id)));
      this.wantedSchedulers = [...wanted];
      for (const scheduler of await this.queue.getJobSchedulers()) {
        if (scheduler.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(scheduler.key)) {
          await this.queue.removeJobScheduler(scheduler.key);
        }
      }
      for (const source of scheduled) {
        const data = { sourceId: source.id };
        const { jobId: _ignored, ...opts } = jobOptionsFor(JobName.SourceFetch, data);
        await this.queue.upsertJobScheduler(
          fetchSchedulerKey(source.id),
          { pattern: source.schedule, tz: source.timezone },
          { name: JobName.SourceFetch, data, opts },
        );
      }
    });
    this.logger.log(`Scheduled ${this.wantedSchedulers.length} of the ${definitions.length} source(s) in ${file}`);
    return scheduled;
  }
}
